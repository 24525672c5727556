/**
 * The link proxy: a transparent TCP proxy on one link of a chain (injecting client -> first hop,
 * or hop -> next hop). It forwards bytes both ways as they arrive and lets the wire witness record
 * what crossed; a link's faults, if any, act here and nowhere else.
 */
import net from 'node:net';
import { listenFailure, MailhopError } from '../errors.js';
import type { LinkFault } from './link-fault.js';
import { LinkConnection, type Endpoint } from './link-connection.js';
import type { WireRecord } from './wire-record.js';

/** How to start a link proxy. */
export interface LinkProxyOptions {
  /** The link's name, used in records and errors, e.g. `gateway->mailbox`. */
  name: string;
  /** Where every connection is forwarded to. */
  target: { host: string; port: number };
  /** Address to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; default 0, an ephemeral port. */
  port?: number;
  /** Faults acting on every connection, in this order; default none (bytes pass untouched). */
  faults?: readonly LinkFault[];
  /** Called once per connection, with its final record, when both sockets have closed. Must not throw (an exception is rethrown as uncaught). */
  onRecord?: (record: WireRecord) => void;
  /** Called when a connection is accepted, before any byte crosses (its record will follow through `onRecord`). */
  onOpen?: () => void;
  /** Finished records kept for `records()`: the most recent ones (default every one). `onRecord` sees each either way. */
  keepRecords?: number;
}

/** A listening link proxy. */
export interface StartedLinkProxy extends AsyncDisposable {
  readonly name: string;
  /** Where clients connect: point the previous hop here instead of at the target. */
  readonly address: { host: string; port: number };
  /** Records of every connection so far, in connection order; open ones as they stand now. */
  records(): WireRecord[];
  /**
   * The client of the open connection whose upstream socket is `upstream` (the target's view of its peer), or
   * undefined when no open connection of this proxy has that end: what a hop asks to learn which sender's
   * connection a session of its own came through.
   */
  clientOf(upstream: Endpoint): Endpoint | undefined;
  /** Stops listening, destroys every socket and frees the port; resolves once all records are final. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts link proxies.
 *
 * @example
 * await using link = await LinkProxy.start({ name: 'client->mx', target: { host: '127.0.0.1', port: mxPort } });
 * // send mail to link.address ...
 * const [record] = link.records();
 * record.handshake; // 'established'
 */
export class LinkProxy {
  private constructor() {}

  /**
   * Listens and forwards every connection to `target`. A target that refuses is recorded as the
   * connection's `upstreamError`, and the client is disconnected.
   *
   * @throws MailhopError `EBIND` (with `link`) when the address cannot be listened on:
   *   `link client->mx: cannot listen on 127.0.0.1:2525: the port is in use (EADDRINUSE).`
   */
  static async start(options: LinkProxyOptions): Promise<StartedLinkProxy> {
    const proxy = new RunningLinkProxy(options);
    await proxy.listen(options.host ?? '127.0.0.1', options.port ?? 0);
    return proxy;
  }
}

class RunningLinkProxy implements StartedLinkProxy {
  readonly name: string;
  readonly #options: LinkProxyOptions;
  readonly #server: net.Server;
  readonly #open = new Map<number, LinkConnection>();
  readonly #finished = new Map<number, WireRecord>();
  #seq = 0;
  #address = { host: '', port: 0 };
  #stopping?: Promise<void>;

  constructor(options: LinkProxyOptions) {
    this.name = options.name;
    this.#options = options;
    this.#server = net.createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
  }

  get address(): { host: string; port: number } {
    return { ...this.#address };
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) =>
        reject(MailhopError.of('EBIND', { where: `link ${this.name}`, what: `listen on ${host}:${port}`, why: listenFailure(error), link: this.name, cause: error }));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        this.#address = { host, port: (this.#server.address() as net.AddressInfo).port };
        resolve();
      });
    });
  }

  records(): WireRecord[] {
    const all = new Map<number, WireRecord>(this.#finished);
    for (const [seq, connection] of this.#open) all.set(seq, connection.record());
    return [...all.keys()].sort((a, b) => a - b).map((seq) => all.get(seq) as WireRecord);
  }

  clientOf(upstream: Endpoint): Endpoint | undefined {
    for (const connection of this.#open.values()) {
      const end = connection.upstreamEnd;
      if (end && end.port === upstream.port && sameHost(end.host, upstream.host)) return { ...connection.clientEnd };
    }
    return undefined;
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      await Promise.all([...this.#open.values()].map((connection) => connection.destroy()));
      await closed;
    })();
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #accept(socket: net.Socket): void {
    if (this.#stopping) return void socket.destroy();
    const seq = ++this.#seq;
    const connection = new LinkConnection(socket, {
      link: this.name,
      seq,
      target: this.#options.target,
      faults: this.#options.faults ?? [],
      onClosed: (record) => {
        this.#open.delete(seq);
        this.#finished.set(seq, record);
        const keep = this.#options.keepRecords;
        if (keep !== undefined) {
          for (const oldest of this.#finished.keys()) {
            if (this.#finished.size <= keep) break;
            this.#finished.delete(oldest);
          }
        }
        try {
          this.#options.onRecord?.(record);
        } catch (error) {
          process.nextTick(() => {
            throw error; // a bug in the callback must not be swallowed, nor stop the other connections
          });
        }
      },
    });
    this.#open.set(seq, connection);
    this.#options.onOpen?.();
  }
}

/** Two socket addresses name the same IPv4 host (an IPv4-mapped IPv6 `::ffff:a.b.c.d` is `a.b.c.d`). */
export function sameHost(a: string, b: string): boolean {
  const bare = (h: string) => h.replace(/^::ffff:/i, '');
  return bare(a) === bare(b);
}
