/**
 * The wire witness tells a resumed TLS session from a full handshake by what crosses in clear: real Node (OpenSSL)
 * handshakes through a relay that feeds a WireWitness, and hand-made hellos for the rules one at a time.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import type { WireRecord } from '../../harness/link/wire-record.js';
import { TlsPhase } from '../../harness/link/tls-phase.js';
import { WireWitness } from '../../harness/link/wire-witness.js';
import { dialog } from '../support/dialog.js';
import { LOOPBACK, makeCert } from '../support/link.js';

/** A TLS server (one context for every connection: its ticket keys hold for the run) that answers each line with `ok`. */
async function startTlsServer(options: tls.SecureContextOptions): Promise<{ port: number } & AsyncDisposable> {
  const context = tls.createSecureContext({ ...(await makeCert()), ...options });
  const server = net.createServer((socket) => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
    secure.on('error', () => {});
    secure.on('data', () => secure.end('ok\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return { port: (server.address() as net.AddressInfo).port, [Symbol.asyncDispose]: () => new Promise((r) => server.close(() => r())) };
}

/** A relay to `port` whose bytes feed one WireWitness per connection (implicit TLS: the client speaks first). */
async function startWitnessedRelay(port: number): Promise<{ port: number; records: WireRecord[] } & AsyncDisposable> {
  const records: WireRecord[] = [];
  let seq = 0;
  const server = net.createServer((client) => {
    const w = new WireWitness({ link: 'client->mx', seq: ++seq, clientPort: client.remotePort ?? 0 });
    const upstream = net.connect({ host: LOOPBACK, port });
    client.on('data', (b) => (w.fromClient(b), upstream.write(b)));
    upstream.on('data', (b) => (w.fromServer(b), client.write(b)));
    let closed = false;
    const done = (by: 'client' | 'server') => () => {
      if (closed) return;
      closed = true;
      w.closed(by);
      records.push(w.record());
      client.destroy();
      upstream.destroy();
    };
    client.once('close', done('client'));
    upstream.once('close', done('server'));
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return { port: (server.address() as net.AddressInfo).port, records, [Symbol.asyncDispose]: () => new Promise((r) => server.close(() => r())) };
}

/** One connection: handshake, a line, the answer, close; gives the session the server issued for the next one. */
async function connectOnce(port: number, options: tls.ConnectionOptions): Promise<{ session?: Buffer; reused: boolean }> {
  const socket = tls.connect({ host: LOOPBACK, port, rejectUnauthorized: false, ...options });
  let session: Buffer | undefined;
  socket.on('session', (s) => (session = s));
  await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const reused = socket.isSessionReused();
  socket.write('EHLO client.test\r\n');
  await new Promise((resolve) => socket.on('data', () => {}).once('close', resolve));
  return { session, reused };
}

/** Two connections, the second offering the session the first was given; the wire records of both, in order. */
async function twoConnections(server: tls.SecureContextOptions, client: tls.ConnectionOptions = {}): Promise<{ records: WireRecord[]; reused: boolean }> {
  await using mx = await startTlsServer(server);
  await using relay = await startWitnessedRelay(mx.port);
  const first = await connectOnce(relay.port, client);
  expect(first.session, 'the server issued a session to resume').toBeDefined();
  const second = await connectOnce(relay.port, { ...client, session: first.session });
  await until(() => relay.records.length === 2);
  return { records: [...relay.records].sort((a, b) => a.seq - b.seq), reused: second.reused };
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setImmediate(r));
}

describe('WireWitness: TLS session resumption, real handshakes', () => {
  it('TLS 1.3: the second ServerHello selected the ticket the client offered as a PSK: resumed', async () => {
    const { records, reused } = await twoConnections({});
    expect(reused).toBe(true);
    expect(records[0], dialog(records[0])).toMatchObject({ handshake: 'established', tls: { version: 'TLSv1.3' } });
    expect(records[0].resumed).toBeUndefined();
    expect(records[0].resumptionOffered).toBeUndefined();
    expect(records[1], dialog(records[1])).toMatchObject({ handshake: 'established', tls: { version: 'TLSv1.3' }, resumptionOffered: true, resumed: true });
    expect(records[1].transcript.at(-1)?.text).toMatch(/^\[TLS handshake: TLSv1\.3 \S+, session resumed\]$/);
  });

  it('TLS 1.2: the server took the ticket and answered with an abbreviated handshake: resumed', async () => {
    const { records, reused } = await twoConnections({ maxVersion: 'TLSv1.2' });
    expect(reused).toBe(true);
    expect(records.map((r) => [r.tls?.version, r.handshake, r.resumptionOffered ?? false, r.resumed ?? false])).toEqual([
      ['TLSv1.2', 'established', false, false],
      ['TLSv1.2', 'established', true, true],
    ]);
  });

  it('a server that takes no tickets (SSL_OP_NO_TICKET) gives a full handshake: offered, not resumed', async () => {
    const { records, reused } = await twoConnections({ secureOptions: crypto.constants.SSL_OP_NO_TICKET });
    expect(reused).toBe(false);
    expect(records[1], dialog(records[1])).toMatchObject({ handshake: 'established', resumptionOffered: true });
    expect(records[1].resumed).toBeUndefined();
  });
});

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const record = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 3, 3]), u16(body.length), body]);
const handshake = (type: number, body: Buffer) => record(22, Buffer.concat([Buffer.from([type]), u24(body.length), body]));
const extension = (type: number, data: Buffer) => Buffer.concat([u16(type), u16(data.length), data]);
const withExtensions = (...exts: Buffer[]) => Buffer.concat([u16(Buffer.concat(exts).length), ...exts]);
const sessionId = (id: Buffer) => Buffer.concat([Buffer.from([id.length]), id]);

/** A ClientHello (RFC 8446 §4.1.2): one suite, no compression, the given session id and extensions. */
function clientHello(id: Buffer, ...exts: Buffer[]): Buffer {
  return handshake(1, Buffer.concat([u16(0x0303), Buffer.alloc(32, 1), sessionId(id), u16(2), u16(0xc02c), Buffer.from([1, 0]), withExtensions(...exts)]));
}

/** A ServerHello (RFC 8446 §4.1.3) with the given session id and extensions. */
function serverHello(id: Buffer, cipher: number, ...exts: Buffer[]): Buffer {
  return handshake(2, Buffer.concat([u16(0x0303), Buffer.alloc(32, 2), sessionId(id), u16(cipher), Buffer.from([0]), withExtensions(...exts)]));
}

const CCS = record(20, Buffer.from([1]));
const APP = record(23, Buffer.alloc(40));
const TLS13 = extension(0x002b, u16(0x0304));
const ID = Buffer.alloc(32, 0xab);

/** Feeds a handshake in wire order ('C' client, 'S' server) and gives what the record would say. */
function phase(steps: Array<['C' | 'S', Buffer]>): { resumed: boolean; offered: boolean; handshake: string } {
  const p = new TlsPhase(() => {});
  for (const [dir, bytes] of steps) dir === 'C' ? p.fromClient(bytes) : p.fromServer(bytes);
  return { resumed: p.resumed, offered: p.resumptionOffered, handshake: p.handshake };
}

describe('TlsPhase: the rules for a resumed session, one at a time', () => {
  it('TLS 1.2: a ServerHello echoing the session id the client offered resumes it (RFC 5246 §7.4.1.3)', () => {
    expect(phase([['C', clientHello(ID)], ['S', Buffer.concat([serverHello(ID, 0xc02c), CCS])], ['C', CCS], ['C', APP], ['S', APP]])).toEqual({ resumed: true, offered: false, handshake: 'established' });
  });

  it('TLS 1.2: a ticket accepted under a new session id shows as the server ChangeCipherSpec before the client\'s second flight (RFC 5077 §3.4)', () => {
    const ticket = extension(0x0023, Buffer.alloc(100, 5));
    expect(phase([['C', clientHello(Buffer.alloc(0), ticket)], ['S', Buffer.concat([serverHello(Buffer.alloc(32, 0xcd), 0xc02c), CCS])], ['C', CCS], ['C', APP], ['S', APP]])).toEqual({ resumed: true, offered: true, handshake: 'established' });
  });

  it('TLS 1.2: a full handshake (new session id, the server\'s ChangeCipherSpec after the client\'s) is not resumed', () => {
    const ticket = extension(0x0023, Buffer.alloc(100, 5));
    const steps: Array<['C' | 'S', Buffer]> = [['C', clientHello(ID, ticket)], ['S', serverHello(Buffer.alloc(32, 0xcd), 0xc02c)], ['C', Buffer.concat([handshake(16, Buffer.alloc(33)), CCS])], ['S', CCS], ['C', APP], ['S', APP]];
    expect(phase(steps)).toEqual({ resumed: false, offered: true, handshake: 'established' });
  });

  it('TLS 1.3: the echoed legacy session id and the compatibility ChangeCipherSpec say nothing; only the selected PSK does', () => {
    const psk = extension(0x0029, Buffer.alloc(60, 3));
    const full = phase([['C', clientHello(ID, TLS13, psk)], ['S', Buffer.concat([serverHello(ID, 0x1302, TLS13), CCS, APP])], ['C', Buffer.concat([CCS, APP])], ['S', APP]]);
    const resumed = phase([['C', clientHello(ID, TLS13, psk)], ['S', Buffer.concat([serverHello(ID, 0x1302, TLS13, extension(0x0029, u16(0))), CCS, APP])], ['C', Buffer.concat([CCS, APP])], ['S', APP]]);
    expect({ full, resumed }).toEqual({ full: { resumed: false, offered: true, handshake: 'established' }, resumed: { resumed: true, offered: true, handshake: 'established' } });
  });
});
