/**
 * The link for tests: a generated EC certificate, real smtp-server instances on ephemeral loopback
 * ports, a nodemailer client that sends one stamped message, a raw TCP peer, and a proxy whose records
 * can be awaited (print them with dialog.ts's `dialog()`).
 */
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import SMTPConnection, { type SMTPConnectionOptions, type SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { LinkFault } from '../../harness/link/link-fault.js';
import { LinkProxy, type StartedLinkProxy } from '../../harness/link/link-proxy.js';
import type { WireRecord } from '../../harness/link/wire-record.js';

export const LOOPBACK = '127.0.0.1';

/** A self-signed P-256 certificate for `localhost` / 127.0.0.1. */
export async function makeCert(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: LOOPBACK }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** A message as the server received it. */
export interface Received {
  body: string;
  secure: boolean;
  /**
   * `session.tlsOptions`, i.e. `getCipher()`: `name` is the negotiated suite, but `version` is the
   * suite's *minimum* protocol version (Node docs), not the negotiated one: see `protocol`.
   */
  tls: SMTPServerSession['tlsOptions'];
  /** The negotiated protocol, from `getProtocol()` in onSecure, e.g. `TLSv1.3`; null without TLS. */
  protocol: string | null;
}

export interface TestSmtpServer extends AsyncDisposable {
  port: number;
  received: Received[];
}

/** A real smtp-server on an ephemeral loopback port that accepts every message. */
export async function startSmtpServer(options: SMTPServerOptions): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const protocols = new Map<string, string | null>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disableReverseLookup: true,
    ...options,
    onSecure(socket, session, callback) {
      protocols.set(session.id, (socket as TLSSocket).getProtocol());
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const protocol = protocols.get(session.id) ?? null;
        received.push({ body: Buffer.concat(chunks).toString('utf8'), secure: session.secure, tls: session.tlsOptions, protocol });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The outcome of sending one message: the client's local port (to match `WireRecord.clientPort`). */
export interface Sent {
  localPort: number;
  info?: SMTPConnectionSendInfo;
  error?: Error & { code?: string };
}

/** Sends one message stamped `X-Mailhop-Id: <id>` with nodemailer's SMTP client, then QUITs. Never rejects. */
export function sendStamped(port: number, id: string, options: Partial<SMTPConnectionOptions> = {}): Promise<Sent> {
  return new Promise((resolve) => {
    const conn = new SMTPConnection({ host: LOOPBACK, port, name: 'client.test', tls: { rejectUnauthorized: false }, ...options });
    let localPort = 0;
    let settled = false;
    const done = (sent: Omit<Sent, 'localPort'>) => {
      if (settled) return;
      settled = true;
      resolve({ localPort, ...sent });
    };
    conn.once('error', (error: Error) => {
      done({ error });
      conn.close();
    });
    conn.connect((error) => {
      localPort = (conn._socket as net.Socket | TLSSocket | null)?.localPort ?? 0;
      if (error) return done({ error });
      const message = `From: a@client.test\r\nTo: b@server.test\r\nSubject: link test\r\nX-Mailhop-Id: ${id}\r\n\r\nHello over the link.\r\n`;
      conn.send({ from: 'a@client.test', to: ['b@server.test'] }, message, (sendError, info) => {
        if (sendError) {
          done({ error: sendError });
          return conn.close();
        }
        conn.quit();
        done({ info });
      });
    });
  });
}

/** A link proxy whose final records can be awaited. */
export interface TestLink extends AsyncDisposable {
  proxy: StartedLinkProxy;
  port: number;
  /** Resolves with the `n`-th (1-based) final record. */
  closed(n?: number): Promise<WireRecord>;
}

export async function startLink(targetPort: number, faults: readonly LinkFault[] = [], name = 'client->mx'): Promise<TestLink> {
  const finals: WireRecord[] = [];
  const waiters: Array<{ n: number; resolve: (r: WireRecord) => void }> = [];
  const proxy = await LinkProxy.start({
    name,
    target: { host: LOOPBACK, port: targetPort },
    faults,
    onRecord: (record) => {
      finals.push(record);
      for (const w of waiters.filter((w) => w.n <= finals.length)) w.resolve(finals[w.n - 1]);
    },
  });
  return {
    proxy,
    port: proxy.address.port,
    closed: (n = 1) => (finals.length >= n ? Promise.resolve(finals[n - 1]) : new Promise((resolve) => waiters.push({ n, resolve }))),
    [Symbol.asyncDispose]: () => proxy.stop(),
  };
}

/** A raw TCP server for behaviour smtp-server cannot show (docs/behaviour.md#N-smtp-server). */
export async function startRawServer(onConnection: (socket: net.Socket) => void): Promise<{ port: number } & AsyncDisposable> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    [Symbol.asyncDispose]: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
/** `bytes` cut into `size`-byte chunks (the last may be shorter), as a socket might deliver them; one chunk for `Infinity`. */
export function chunks(bytes: Buffer, size: number): Buffer[] {
  const cut: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) cut.push(bytes.subarray(at, at + size));
  return cut;
}
