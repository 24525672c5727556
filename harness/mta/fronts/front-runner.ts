/**
 * The shared runner of inbound fronts. A front listens on a hop's address and relays each
 * connection to the hop's honest smtp-server on an internal loopback port, byte for byte, except
 * for the one thing a deceitful behaviour needs: the client's STARTTLS (RFC 3207 §4), which each
 * connection's {@link FrontRelay} holds until the inner server has answered every command before
 * it. What STARTTLS gets is the behaviour's decision (one small file per behaviour in this folder).
 */
import net from 'node:net';
import { FrontRelay, type FrontBehaviour } from './front-relay.js';

export type { FrontBehaviour, StarttlsDecision, TakenOverConnection } from './front-relay.js';

/** Options of {@link startFront}. */
export interface FrontOptions {
  behaviour: FrontBehaviour;
  /** The hop's honest smtp-server. */
  inner: { host: string; port: number };
  /** Loopback address to listen on; port 0 (default) is ephemeral. */
  host: string;
  port?: number;
  /**
   * Longest life of one client connection, ms of real time (default: none); then both its sockets are
   * destroyed. Bounds connections a behaviour took over (a stalled handshake waits for the client otherwise).
   */
  lifetimeMs?: number;
}

/** A listening front. */
export interface StartedFront extends AsyncDisposable {
  /** Where the hop's senders connect. */
  readonly address: { host: string; port: number };
  /**
   * The client of the open connection whose front-to-server socket is `inner` (what the honest server sees as
   * its peer), or undefined when none is: the hop asks it to learn which sender a session came from.
   */
  clientOf(inner: { host: string; port: number }): { host: string; port: number } | undefined;
  /** Stops listening and destroys every connection. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a front. A client whose inner connection fails is disconnected.
 * @throws Error when the address cannot be listened on.
 * @example
 *   await using front = await startFront({ behaviour: starttlsReplyFront('fake-454', TLS_TEMPORARILY_UNAVAILABLE), inner: server.address, host: '127.0.0.1' });
 */
export async function startFront(options: FrontOptions): Promise<StartedFront> {
  const sockets = new Set<net.Socket>();
  const own = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  // Half-open connections are allowed so a client that sends QUIT (or even the final dot) and
  // half-closes still gets the inner server's replies (Exim pipelines QUIT and shuts its side):
  // the FIN is passed on only once every byte before it has been. Nagle is off on both sockets, as on
  // every socket mailhop opens: a relayed reply must not wait for the ACK of the one before it.
  /** Open connections by the inner socket's local `host:port`: their client's end. */
  const clients = new Map<string, { host: string; port: number }>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    own(client);
    client.on('error', () => {}); // a reset client is the client's business; the inner side is closed below
    const clientEnd = { host: client.remoteAddress ?? '', port: client.remotePort ?? 0 };
    const inner = net.connect({ ...options.inner, allowHalfOpen: true, noDelay: true });
    own(inner);
    if (options.lifetimeMs !== undefined) {
      const timer = setTimeout(() => {
        client.destroy();
        inner.destroy();
      }, options.lifetimeMs);
      timer.unref(); // never what keeps the process alive: stop() destroys every socket
      client.once('close', () => clearTimeout(timer));
    }
    inner.once('connect', () => {
      const key = `${inner.localAddress}:${inner.localPort}`;
      clients.set(key, clientEnd);
      inner.once('close', () => clients.delete(key));
    });
    inner.on('error', () => client.destroy());
    new FrontRelay(client, inner, options.behaviour, own);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = { host: options.host, port: (server.address() as net.AddressInfo).port };
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }));
  const clientOf = (end: { host: string; port: number }) => clients.get(`${end.host.replace(/^::ffff:/i, '')}:${end.port}`);
  return { address, clientOf, stop, [Symbol.asyncDispose]: stop };
}
