/**
 * The shared runner of inbound fronts. A front listens on a hop's address and relays each
 * connection to the hop's honest smtp-server on an internal loopback port, byte for byte, except
 * for the one thing a deceitful behaviour needs: the client's STARTTLS (RFC 3207 §4). The runner
 * follows the plaintext dialogue (RFC 5321) only far enough to find that command in order:
 * commands pipelined before it (RFC 2920) are answered by the inner server first, and DATA
 * content is never read as commands. What STARTTLS gets is the behaviour's decision (one small
 * file per behaviour in this folder).
 */
import net from 'node:net';
import { Backpressure } from '../../link/backpressure.js';
import { SmtpSplitter } from '../../link/smtp-splitter.js';

/**
 * What a front does with the client's STARTTLS:
 * - `{ reply }`: send this reply line (no CRLF) and keep relaying in plaintext; the inner server
 *   never sees the command.
 * - `{ takeOver }`: stop relaying; the behaviour owns both sockets from here on.
 */
export type StarttlsDecision = { reply: string } | { takeOver: (connection: TakenOverConnection) => void };

/** A connection handed to a behaviour at STARTTLS. Both sockets are paused and have no data listeners. */
export interface TakenOverConnection {
  /** The client's socket (the link proxy's, in a chain). */
  client: net.Socket;
  /** The front's connection to the hop's honest server: quiet, every earlier command answered. */
  inner: net.Socket;
  /** The STARTTLS line as the client sent it, without CRLF. */
  line: string;
  /**
   * Client bytes that arrived with or after the STARTTLS line and were already read: pipelined
   * plaintext. A correct server discards them (RFC 3207 §4.2; the CVE-2011-0411 fix).
   */
  pipelined: Buffer;
  /** Registers another socket (e.g. a TLS socket over one of the two) to destroy when the front stops. */
  own(socket: net.Socket): void;
}

/** One deceitful inbound behaviour. */
export interface FrontBehaviour {
  /** Kebab-case name, e.g. `fake-454`, `break-handshake:alert`. */
  readonly name: string;
  /**
   * Called when the client sent STARTTLS and the inner server has answered every earlier command.
   * @param line the command line without CRLF, e.g. `STARTTLS`
   */
  onStarttls(line: string): StarttlsDecision;
}

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

/** Replies longer than this are cut while parsing (the bytes still pass through whole). */
const MAX_REPLY_LINE = 8192;

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
  // the FIN is passed on only once every byte before it has been.
  /** Open connections by the inner socket's local `host:port`: their client's end. */
  const clients = new Map<string, { host: string; port: number }>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    own(client);
    client.on('error', () => {}); // a reset client is the client's business; the inner side is closed below
    const clientEnd = { host: client.remoteAddress ?? '', port: client.remotePort ?? 0 };
    const inner = net.connect({ ...options.inner, allowHalfOpen: true });
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

/**
 * One relayed connection in its plaintext phase. Each side is read only while the other takes what
 * it is sent: a client that pipelines and never reads its replies stops being read.
 */
class FrontRelay {
  readonly #splitter = new SmtpSplitter();
  readonly #flow = new Backpressure();
  /** Commands (verbs) whose final reply has not come back yet; the greeting counts as one. */
  readonly #awaiting: string[] = ['(greeting)'];
  /** Client bytes wait while a DATA reply (354 or not) or the quiet before STARTTLS is awaited. */
  #blocked: 'data' | 'starttls' | null = null;
  #starttlsLine = '';
  #replyLine = '';
  #takenOver = false;
  #clientEnded = false;
  #draining = false;
  readonly #onClientEnd = () => {
    this.#clientEnded = true;
    this.#drain();
  };
  readonly #onClient = (chunk: Buffer) => this.#fromClient(chunk);
  readonly #onInner = (chunk: Buffer) => this.#fromInner(chunk);
  readonly #onClientClose = () => this.#inner.destroy();
  readonly #onInnerClose = () => this.#client.end();
  readonly #client: net.Socket;
  readonly #inner: net.Socket;
  readonly #behaviour: FrontBehaviour;
  readonly #own: (socket: net.Socket) => void;

  constructor(client: net.Socket, inner: net.Socket, behaviour: FrontBehaviour, own: (socket: net.Socket) => void) {
    this.#client = client;
    this.#inner = inner;
    this.#behaviour = behaviour;
    this.#own = own;
    client.on('data', this.#onClient);
    inner.on('data', this.#onInner);
    client.on('end', this.#onClientEnd);
    client.on('close', this.#onClientClose);
    inner.on('close', this.#onInnerClose);
  }

  #fromClient(chunk: Buffer): void {
    this.#splitter.push(chunk);
    this.#inner.cork(); // a chunk of pipelined commands goes on in one write, not one per line
    this.#drain();
    this.#inner.uncork();
  }

  /**
   * Forwards client tokens until one needs the inner server's replies first. Not re-entered: a
   * STARTTLS the front answers itself unblocks from inside the loop, which then goes on (3,000
   * pipelined STARTTLS lines once recursed 3,000 calls deep and overflowed the stack).
   */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      this.#drainLoop();
    } finally {
      this.#draining = false;
    }
  }

  #drainLoop(): void {
    while (!this.#blocked && !this.#takenOver) {
      const token = this.#splitter.next();
      if (!token) {
        // Everything the client sent before its FIN has gone in: pass the FIN on.
        if (this.#clientEnded) this.#inner.end();
        return;
      }
      if (token.kind === 'line') {
        const verb = token.text.split(' ')[0].toUpperCase();
        if (verb === 'STARTTLS') {
          this.#block('starttls');
          this.#starttlsLine = token.text;
          this.#maybeStarttls();
          continue; // answered by the front: unblocked, the loop goes on; handed over or waiting: it stops
        }
        this.#flow.write(this.#inner, this.#client, token.raw);
        this.#awaiting.push(verb);
        // RFC 5321 §4.1.1.4: content follows only a 354; until the reply, the next bytes are unknown.
        if (verb === 'DATA') this.#block('data');
      } else if (token.kind === 'long') {
        this.#flow.write(this.#inner, this.#client, token.bytes);
        if (token.end) this.#awaiting.push('(long line)');
      } else {
        this.#flow.write(this.#inner, this.#client, token.bytes);
        if (token.kind === 'content' && token.end) this.#awaiting.push('(message)');
      }
    }
  }

  #block(why: 'data' | 'starttls'): void {
    this.#blocked = why;
    this.#flow.hold(this.#client, 'blocked');
  }

  #unblock(): void {
    this.#blocked = null;
    this.#flow.release(this.#client, 'blocked');
    this.#drain();
  }

  #fromInner(chunk: Buffer): void {
    this.#flow.write(this.#client, this.#inner, chunk);
    this.#replyLine += chunk.toString('latin1');
    let lf: number;
    while ((lf = this.#replyLine.indexOf('\n')) >= 0) {
      const line = this.#replyLine.slice(0, lf);
      this.#replyLine = this.#replyLine.slice(lf + 1);
      const final = /^(\d{3})(?: |\r?$)/.exec(line);
      if (final) this.#onFinalReply(Number(final[1]));
    }
    if (this.#replyLine.length > MAX_REPLY_LINE) this.#replyLine = this.#replyLine.slice(0, MAX_REPLY_LINE);
  }

  #onFinalReply(code: number): void {
    const verb = this.#awaiting.shift();
    if (verb === 'DATA' && this.#blocked === 'data') {
      if (code === 354) this.#splitter.expectData();
      this.#unblock();
    } else if (this.#blocked === 'starttls') {
      this.#maybeStarttls();
    }
  }

  /** Hands STARTTLS to the behaviour once every earlier command has its reply (RFC 2920 order). */
  #maybeStarttls(): void {
    if (this.#awaiting.length > 0) return;
    const decision = this.#behaviour.onStarttls(this.#starttlsLine);
    if ('reply' in decision) {
      // The front's own reply: a client that does not read it stops being read, as for the server's.
      this.#flow.write(this.#client, this.#client, `${decision.reply}\r\n`);
      this.#unblock();
      return;
    }
    this.#takenOver = true;
    const client = this.#client;
    const inner = this.#inner;
    this.#flow.detach(); // no drain may resume a socket the behaviour now owns,
    inner.uncork(); // nor may the behaviour's writes wait for the end of the client's chunk
    client.pause();
    inner.pause();
    client.off('data', this.#onClient);
    inner.off('data', this.#onInner);
    client.off('close', this.#onClientClose);
    client.off('end', this.#onClientEnd);
    inner.off('close', this.#onInnerClose);
    // The behaviour gets sockets with Node's usual semantics: a FIN ends both directions.
    client.allowHalfOpen = false;
    inner.allowHalfOpen = false;
    this.#splitter.startTls(); // everything still buffered comes out as one run of raw bytes
    const rest: Buffer[] = [];
    for (let token = this.#splitter.next(); token; token = this.#splitter.next()) {
      rest.push(token.kind === 'line' ? token.raw : token.bytes);
    }
    decision.takeOver({ client, inner, line: this.#starttlsLine, pipelined: Buffer.concat(rest), own: this.#own });
    // A FIN read before the takeover came while half-open was allowed, so nothing ended our side;
    // with the usual semantics it would have, and the behaviour would otherwise wait forever for a
    // client that left (a stalled or injectable front kept such connections open until stop()).
    if (this.#clientEnded && !client.destroyed && !client.writableEnded) client.end();
  }
}
