/**
 * For tests that hold a hop's Received header against a real engine's: one client that sends the same message
 * over TLS 1.3, TLS 1.2 or in plaintext with fixed suites (so both receivers negotiate the same session), a
 * capture server where an engine relays (what it wrote arrives there), a mock hop writing a given format at a
 * given instant, and readers for the first header and its date.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { startHopServer, type AcceptedMessage } from '../../harness/mta/hop-server.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { Inbound, type ReceivedFormat } from '../../harness/scenario/schema.js';
import { Trace } from '../../harness/trace/trace.js';
import { VirtualClock } from '../../harness/chain/virtual-clock.js';

/** How the client speaks to the receiver: a TLS version with one suite, or no STARTTLS at all. */
export const SEND_MODES = {
  'TLS 1.3': { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' },
  'TLS 1.2': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
  plaintext: null,
} as const;
export type SendMode = keyof typeof SEND_MODES;

/** The name the client gives in EHLO. */
export const CLIENT_NAME = 'client.mailhop.test';

/**
 * Sends alice -> bob (and carol when `recipients` is 2; with an `X-Mailhop-Id`, which a mock hop requires) to `to`,
 * as `mode` says. @throws when the receiver refuses it.
 */
export async function sendOne(to: { host: string; port: number }, mode: SendMode, recipients: 1 | 2 = 1): Promise<void> {
  const tls = SEND_MODES[mode];
  const transport = nodemailer.createTransport({
    host: to.host, port: to.port, secure: false, name: CLIENT_NAME,
    ...(tls ? { requireTLS: true, tls: { rejectUnauthorized: false, ...tls } } : { ignoreTLS: true }),
  });
  try {
    const rcpts = recipients === 2 ? ['bob@partner.test', 'carol@partner.test'] : ['bob@partner.test'];
    await transport.sendMail({ from: 'alice@org.test', to: rcpts, subject: 'received exact', text: 'x', headers: { 'X-Mailhop-Id': 'm1' } });
  } finally {
    transport.close();
  }
}

/** A plaintext SMTP server that keeps what arrives; `next()` resolves with the next message's raw text. */
export interface Capture extends AsyncDisposable {
  address: { host: string; port: number };
  next(): Promise<string>;
}

export async function startCapture(): Promise<Capture> {
  const arrived: string[] = [];
  const waiting: Array<(raw: string) => void> = [];
  const server = new SMTPServer({
    logger: false, authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const waiter = waiting.shift();
        if (waiter) waiter(raw);
        else arrived.push(raw);
        done();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return {
    address: { host: '127.0.0.1', port },
    next: () => (arrived.length ? Promise.resolve(arrived.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A mock hop `id` (hostname `<id>.mailhop.test`) offering STARTTLS and writing `format`, dated `date()`. */
export interface MockReceiver extends AsyncDisposable {
  address: { host: string; port: number };
  accepted: AcceptedMessage[];
}

export async function startMockReceiver(id: string, format: ReceivedFormat, date: () => Date): Promise<MockReceiver> {
  const pki = await RunPki.create();
  const hostname = `${id}.mailhop.test`;
  const inbound = Inbound.parse({ starttls: 'offer', received: format });
  const accepted: AcceptedMessage[] = [];
  const trace = new Trace(new VirtualClock());
  const server = await startHopServer({
    hopId: id, hostname, inbound, keyCert: await pki.issue(hostname, 'valid'), inboundLink: `client->${id}`,
    emit: (event) => trace.emit(event), date, onMessage: (m) => accepted.push(m), limits: {},
  });
  return { address: server.address, accepted, [Symbol.asyncDispose]: () => server.stop() };
}

/** The first header field of a message, as written (folded, CRLF line ends included). */
export function firstHeader(raw: string): string {
  const m = /^[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(raw);
  if (!m) throw new Error(`no header field at the start of: ${JSON.stringify(raw.slice(0, 80))}`);
  return m[0];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The instant a Received header's date-time names (RFC 5322 §3.3, in UTC: `+0000` or `GMT`). @throws when it has none. */
export function receivedInstant(header: string): Date {
  const m = /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), +(\d{1,2}) (\w{3}) (\d{4}) (\d\d):(\d\d):(\d\d) (?:\+0000|GMT)/.exec(header);
  if (!m) throw new Error(`no UTC date-time in: ${JSON.stringify(header)}`);
  const [, day, month, year, h, min, s] = m;
  return new Date(Date.UTC(Number(year), MONTHS.indexOf(month), Number(day), Number(h), Number(min), Number(s)));
}
