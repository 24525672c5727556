/**
 * The baseline: the same relay chain without mailhop. Bare smtp-server hops (fresh EC P-256
 * certificates from a fresh CA, STARTTLS offered) relaying hop by hop with nodemailer's
 * SMTPConnection on a fresh connection per hop per message, no link proxies, no trace.
 * Each hop works the way mailhop's does: it prepends a Received header, starts the relay to the
 * next hop, then answers 250 (relay asynchronous), and the last hop keeps the message.
 *
 * `greeting: 'patched'` uses mailhop's greeting-delay patch with 0 ms, exactly as mailhop's hops
 * do; `'stock'` loads smtp-server's CommonJS build, a separate module instance the patch never
 * touched, so its 100 ms early-talker pause is the upstream one.
 */
import { createRequire } from 'node:module';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import nodemailer, { type Transporter } from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import MailComposer from 'nodemailer/lib/mail-composer';
import { installGreetingDelayPatch } from '../harness/mta/greeting-delay.js';
import type { MessagePath } from './message-path.js';
import { benchMessage } from './bench-fixtures.js';
import { startTcpPipe, type TcpPipe } from './tcp-pipe.js';

export interface BaselineOptions {
  hops: number;
  greeting: 'patched' | 'stock';
  /** Put a bare TCP relay (tcp-pipe.ts) in front of every hop, as mailhop puts a link proxy (diagnosis only). */
  linkPipes?: boolean;
  /**
   * Relay over nodemailer's pooled transport, at most this many connections per next hop, each carrying message
   * after message (RSET between them), instead of a fresh connection per message: the baseline for mailhop's
   * `outbound.reuse`.
   */
  pool?: number;
}

export interface BaselinePath extends MessagePath {
  /** Messages a hop received in plaintext, and relay errors (both must stay 0). */
  readonly problems: { plaintext: number; errors: string[] };
}

type KeyCert = { key: string; cert: string };
const ALG = { keyType: 'ec' as const, curve: 'P-256' as const, algorithm: 'sha256' };

async function certificates(hostnames: string[]): Promise<{ ca: KeyCert; leaves: KeyCert[] }> {
  const ca = await generate([{ name: 'commonName', value: 'bench CA' }], {
    ...ALG,
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true }],
  });
  const caKc = { key: ca.private, cert: ca.cert };
  const leaves = await Promise.all(
    hostnames.map(async (h) => {
      const p = await generate([{ name: 'commonName', value: h }], {
        ...ALG,
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: h }] }],
        ca: caKc,
      });
      return { key: p.private, cert: p.cert };
    }),
  );
  return { ca: caKc, leaves };
}

const stockServer = (): typeof SMTPServer => (createRequire(import.meta.url)('smtp-server') as { SMTPServer: typeof SMTPServer }).SMTPServer;

/** Starts the baseline chain: `hops` servers listening, nothing sent yet. */
export async function startBaselinePath(opts: BaselineOptions): Promise<BaselinePath> {
  if (opts.greeting === 'patched') installGreetingDelayPatch();
  const Server = opts.greeting === 'patched' ? SMTPServer : stockServer();
  const hostnames = Array.from({ length: opts.hops }, (_, i) => `h${i + 1}.bench.test`);
  const { ca, leaves } = await certificates(hostnames);
  // One client context for the whole run (a `ca` per connect builds a new context each time: README, Speed, fix 1).
  const secureContext = tls.createSecureContext({ ca: ca.cert });
  const problems = { plaintext: 0, errors: [] as string[] };
  const waiters = new Map<string, () => void>();
  const ports: number[] = [];
  let outstanding = 0;
  let nextId = 0;
  let idle: Array<() => void> = [];

  /** Per next hop, its pooled transport (with `pool`), made on first use. */
  const pools = new Map<number, Transporter>();
  const pooled = (fromName: string, to: number): Transporter => {
    let t = pools.get(to);
    if (!t) {
      t = nodemailer.createTransport({
        pool: true, maxConnections: opts.pool, maxMessages: Infinity, host: '127.0.0.1', port: ports[to], name: fromName,
        tls: { secureContext, servername: hostnames[to], rejectUnauthorized: false },
      });
      pools.set(to, t);
    }
    return t;
  };

  const relay = (fromName: string, to: number, envelope: { from: string; to: string[] }, raw: Buffer) => {
    outstanding++;
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      if (err) problems.errors.push(`${fromName} -> ${hostnames[to]}: ${err.message}`);
      if (--outstanding === 0) for (const w of idle.splice(0)) w();
    };
    if (opts.pool) {
      pooled(fromName, to).sendMail({ envelope, raw }, (err) => finish(err ?? undefined));
      return;
    }
    const conn = new SMTPConnection({
      host: '127.0.0.1', port: ports[to], name: fromName,
      tls: { secureContext, servername: hostnames[to], rejectUnauthorized: false },
    });
    conn.once('error', finish);
    conn.once('end', () => finish());
    conn.connect(() =>
      conn.send({ from: envelope.from, to: [...envelope.to] }, raw, (err) => {
        if (err) finish(err);
        conn.quit();
      }),
    );
  };

  const servers = hostnames.map((name, i) => {
    const last = i === hostnames.length - 1;
    const options: SMTPServerOptions & { greetingDelayMs?: number } = {
      name, banner: 'ESMTP baseline', key: leaves[i].key, cert: leaves[i].cert,
      disabledCommands: ['AUTH'], authOptional: true, logger: false, disableReverseLookup: true, closeTimeout: 200,
      ...(opts.greeting === 'patched' ? { greetingDelayMs: 0 } : {}),
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (!session.secure) problems.plaintext++;
          const cipher = session.secure ? ` (${(session.tlsOptions as { version?: string; name?: string }).version} ${(session.tlsOptions as { name?: string }).name})` : '';
          const header = `Received: from ${session.clientHostname} ([${session.remoteAddress}])\r\n\tby ${name} with ${session.transmissionType}${cipher}; ${new Date().toUTCString()}\r\n`;
          const raw = Buffer.concat([Buffer.from(header, 'latin1'), ...chunks]);
          const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
          if (last) {
            const id = /^X-Bench-Id: *(\S+)/im.exec(raw.toString('latin1', 0, 4096))?.[1] ?? '';
            waiters.get(id)?.();
            waiters.delete(id);
          } else relay(name, i + 1, envelope, raw);
          callback(null, 'Ok: queued');
        });
      },
    };
    return new Server(options);
  });
  const pipes: TcpPipe[] = [];
  for (const server of servers) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.server.address() as AddressInfo).port;
    if (!opts.linkPipes) ports.push(port);
    else {
      pipes.push(await startTcpPipe({ host: '127.0.0.1', port }));
      ports.push(pipes[pipes.length - 1].address.port);
    }
  }

  return {
    problems,
    async deliver(i) {
      const m = benchMessage(i);
      const id = `b${++nextId}`;
      const raw = await new MailComposer({ from: m.from, to: m.to, subject: m.subject, text: m.body, headers: { 'X-Bench-Id': id } }).compile().build();
      const delivered = new Promise<void>((resolve) => waiters.set(id, resolve));
      relay('client.bench.test', 0, { from: m.from, to: m.to }, raw);
      await delivered;
    },
    quiesce: () => (outstanding === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
    async stop() {
      for (const t of pools.values()) t.close();
      await Promise.all(pipes.map((p) => p.stop()));
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      idle = [];
    },
  };
}
