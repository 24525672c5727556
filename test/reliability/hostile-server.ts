/**
 * A hostile SMTP server on loopback for fuzzing mailhop's client side (an `engine: external` hop): each
 * connection runs a script against a {@link HostilePeer}, which can read the client's lines, write any
 * bytes (fast, with backpressure, or one byte at a time), really switch to TLS, and close or reset. The
 * server keeps the ground truth the test judges mailhop against: which connections really completed a
 * TLS handshake, and whether the message body (a marker text in it) arrived inside TLS or in the clear.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { KeyCert } from '../../harness/pki/run-pki.js';

/** What really happened on one connection, as the server saw it. */
export interface HostileConnection {
  /** A TLS handshake completed (the server's `secure` event). */
  tls: boolean;
  /** The body marker arrived inside TLS / in the clear (whatever the dialogue looked like). */
  body: { tls: boolean; plain: boolean };
}

/** One side of one connection, for a script. */
export class HostilePeer {
  /** Set once the connection is over (closed, reset or failed). */
  closed = false;
  /** The start of what was last written (a reply code, to know whether content follows). */
  lastSent = '';
  private socket: net.Socket | tls.TLSSocket;
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  /** The end of what arrived so far, to find the marker across chunk boundaries. */
  private tail = '';
  /** Pauses to cut short when the connection is over. */
  private readonly pauses = new Set<() => void>();

  constructor(
    socket: net.Socket,
    private readonly keyCert: KeyCert,
    private readonly marker: string,
    readonly record: HostileConnection,
    private readonly onActivity: () => void,
  ) {
    this.socket = socket;
    this.listen(socket);
  }

  private listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.onActivity();
      const seen = this.tail + chunk.toString('latin1');
      if (seen.includes(this.marker)) this.record.body[socket instanceof tls.TLSSocket ? 'tls' : 'plain'] = true;
      this.tail = seen.slice(-this.marker.length);
      // Bounded: a client that floods us is not what is under test.
      this.buffer = Buffer.concat([this.buffer, chunk]).subarray(-256 * 1024);
      this.wake();
    });
    socket.on('error', () => this.over());
    socket.on('close', () => this.over());
  }

  private over(): void {
    this.closed = true;
    for (const end of this.pauses) end();
    this.pauses.clear();
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** The client's next line without its line end, or null once the connection is over. */
  async line(): Promise<string | null> {
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf >= 0) {
        const l = this.buffer.subarray(0, lf).toString('latin1').replace(/\r$/, '');
        this.buffer = this.buffer.subarray(lf + 1);
        return l;
      }
      if (this.closed) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** Reads message content up to the lone dot; false once the connection is over. */
  async content(): Promise<boolean> {
    for (;;) {
      const l = await this.line();
      if (l === null) return false;
      if (l === '.') return true;
    }
  }

  /** Writes `data` and waits until the kernel took it; false once the connection is over. */
  send(data: string | Buffer): Promise<boolean> {
    if (this.closed || this.socket.destroyed) return Promise.resolve(false);
    this.onActivity();
    this.lastSent = data.slice(0, 8).toString();
    return new Promise((resolve) => this.socket.write(data, (err) => resolve(!err && !this.closed)));
  }

  /** Writes `data` one byte every `everyMs` ms; false once the connection is over. */
  async dribble(data: string | Buffer, everyMs: number): Promise<boolean> {
    const bytes = Buffer.from(data);
    for (let i = 0; i < bytes.length; i++) {
      if (!(await this.send(bytes.subarray(i, i + 1)))) return false;
      await this.pause(everyMs);
    }
    this.lastSent = bytes.subarray(0, 8).toString();
    return !this.closed;
  }

  /** Waits `ms` or until the connection is over (the script's pace, not the test's). */
  pause(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pauses.add(end);
    });
  }

  /** Waits until the client closes or resets the connection. */
  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => (this.waiter = resolve));
  }

  /** Answers as a TLS server on this connection (after a 220 to STARTTLS); true once the handshake completed. */
  startTls(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const plain = this.socket as net.Socket;
    plain.removeAllListeners('data');
    this.buffer = Buffer.alloc(0);
    this.tail = '';
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: tls.createSecureContext(this.keyCert) });
    this.socket = secure;
    this.listen(secure);
    return new Promise((resolve) => {
      secure.once('secure', () => {
        this.record.tls = true;
        resolve(true);
      });
      secure.once('close', () => resolve(false));
      secure.once('error', () => resolve(false));
    });
  }

  /** FIN after what was written. */
  close(): void {
    this.socket.end();
  }

  /** RST at once. */
  reset(): void {
    if (this.socket instanceof tls.TLSSocket) this.socket.destroy();
    else this.socket.resetAndDestroy();
  }
}

/** A script: what the server does on one connection (`index` counts the case's connections from 0). */
export type HostileScript = (peer: HostilePeer, index: number) => Promise<void>;

/** A started hostile server. */
export interface HostileServer {
  address: { host: string; port: number };
  /** One record per connection, in accept order. */
  connections: HostileConnection[];
  /** Date.now() of the last byte either way or the last connection. */
  lastActivity(): number;
  /** Closes the listener and destroys every connection. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (an ephemeral port) and runs `script` on every connection; `marker` is a text of the message body. */
export async function startHostileServer(script: HostileScript, keyCert: KeyCert, marker: string): Promise<HostileServer> {
  const connections: HostileConnection[] = [];
  const sockets = new Set<net.Socket>();
  let last = Date.now();
  const touch = () => (last = Date.now());
  const server = net.createServer({ allowHalfOpen: false }, (socket) => {
    touch();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const record: HostileConnection = { tls: false, body: { tls: false, plain: false } };
    const index = connections.push(record) - 1;
    const peer = new HostilePeer(socket, keyCert, marker, record, touch);
    script(peer, index).then(
      () => peer.close(),
      () => peer.reset(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: { host: '127.0.0.1', port },
    connections,
    lastActivity: () => last,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
