import { describe, expect, it } from 'vitest';
import { looksLikeClientHello, TlsRecordParser, type TlsWireEvent } from '../../harness/link/tls-hello.js';

/** A ServerHello handshake message (RFC 8446 §4.1.3), with supported_versions when `selected` is given. */
function serverHello(cipher: number, options: { selected?: number; legacy?: number; random?: Buffer } = {}): Buffer {
  const extensions = options.selected === undefined ? Buffer.alloc(0) : Buffer.from([0x00, 0x2b, 0x00, 0x02, options.selected >> 8, options.selected & 0xff]);
  const body = Buffer.concat([
    u16(options.legacy ?? 0x0303),
    options.random ?? Buffer.alloc(32, 7),
    Buffer.from([32]),
    Buffer.alloc(32, 9), // legacy_session_id
    u16(cipher),
    Buffer.from([0]),
    u16(extensions.length),
    extensions,
  ]);
  return Buffer.concat([Buffer.from([2]), u24(body.length), body]);
}

function record(contentType: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([contentType]), u16(version), u16(body.length), body]);
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

function parse(...chunks: Buffer[]): TlsWireEvent[] {
  const parser = new TlsRecordParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

function oneByteAtATime(bytes: Buffer): TlsWireEvent[] {
  return parse(...[...bytes].map((b) => Buffer.from([b])));
}

const hellos = (events: TlsWireEvent[]) => events.flatMap((e) => (e.kind === 'server-hello' ? [e.hello] : []));

describe('TlsRecordParser: ServerHello', () => {
  it('reads TLS 1.3 from supported_versions, not from legacy_version', () => {
    expect(hellos(parse(record(22, serverHello(0x1302, { selected: 0x0304 }))))).toEqual([
      { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', cipherCode: 0x1302, nullCipher: false, helloRetry: false, sessionId: Buffer.alloc(32, 9), pskSelected: false },
    ]);
  });

  it('names TLS 1.2 suites as OpenSSL does, and flags eNULL', () => {
    const [ecdhe] = hellos(parse(record(22, serverHello(0xc02c))));
    const [nul] = hellos(parse(record(22, serverHello(0x003b))));
    expect(ecdhe).toMatchObject({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', nullCipher: false });
    expect(nul).toMatchObject({ version: 'TLSv1.2', cipher: 'NULL-SHA256', cipherCode: 0x003b, nullCipher: true });
  });

  it('reads TLS 1.0 and 1.1 from legacy_version, and names unknown suites in hex', () => {
    expect(hellos(parse(record(22, serverHello(0xc014, { legacy: 0x0301 }), 0x0301)))[0]).toMatchObject({ version: 'TLSv1', cipher: 'ECDHE-RSA-AES256-SHA' });
    expect(hellos(parse(record(22, serverHello(0xc0ff, { legacy: 0x0302 }))))[0]).toMatchObject({ version: 'TLSv1.1', cipher: '0xC0FF' });
  });

  it('gives the same events when the record arrives one byte at a time', () => {
    const bytes = Buffer.concat([record(22, serverHello(0x1301, { selected: 0x0304 })), record(20, Buffer.from([1])), record(23, Buffer.alloc(300))]);
    expect(oneByteAtATime(bytes)).toEqual(parse(bytes));
    expect(parse(bytes).map((e) => e.kind)).toEqual(['record', 'server-hello', 'record', 'record']);
  });

  it('reassembles a ServerHello fragmented over two records', () => {
    const hello = serverHello(0x1303, { selected: 0x0304 });
    const events = parse(record(22, hello.subarray(0, 10)), record(22, hello.subarray(10)));
    expect(hellos(events)).toMatchObject([{ cipher: 'TLS_CHACHA20_POLY1305_SHA256' }]);
  });

  it('waits past a HelloRetryRequest for the real ServerHello', () => {
    const retry = record(22, serverHello(0x1302, { selected: 0x0304, random: HRR_RANDOM }));
    const real = record(22, serverHello(0x1302, { selected: 0x0304 }));
    expect(hellos(parse(retry, record(20, Buffer.from([1])), real)).map((h) => h.helloRetry)).toEqual([true, false]);
  });

  it('stops looking after the first handshake message (later ones are encrypted in TLS 1.3)', () => {
    const events = parse(record(22, serverHello(0x1302, { selected: 0x0304 })), record(22, serverHello(0x1301, { selected: 0x0304 })));
    expect(hellos(events)).toHaveLength(1);
  });
});

describe('TlsRecordParser: alerts, ClientHello and non-TLS bytes', () => {
  it('reads plaintext alerts: level and description', () => {
    const events = parse(record(21, Buffer.from([2, 40])), record(21, Buffer.from([2, 70])));
    expect(events.filter((e) => e.kind === 'alert')).toEqual([
      { kind: 'alert', alert: { level: 'fatal', description: 'handshake_failure', code: 40 } },
      { kind: 'alert', alert: { level: 'fatal', description: 'protocol_version', code: 70 } },
    ]);
  });

  it('does not read a protected alert (not 2 bytes long) as one', () => {
    expect(parse(record(21, Buffer.alloc(26, 1))).map((e) => e.kind)).toEqual(['record']);
  });

  it('sees a ClientHello', () => {
    const hello = Buffer.concat([Buffer.from([1]), u24(4), Buffer.from([3, 3, 0, 0])]);
    expect(oneByteAtATime(record(22, hello, 0x0301)).map((e) => e.kind)).toEqual(['record', 'client-hello']);
  });

  it('reports bytes that cannot be TLS, once, and ignores the rest', () => {
    const parser = new TlsRecordParser();
    expect(parser.push(Buffer.from('500 what\r\n'))).toEqual([{ kind: 'not-tls', sample: Buffer.from('500 what\r\n') }]);
    expect(parser.push(record(21, Buffer.from([2, 40])))).toEqual([]);
    expect(parser.dead).toBe(true);
  });

  it('holds no more than a record header while application data streams', () => {
    const parser = new TlsRecordParser();
    parser.push(record(22, serverHello(0x1302, { selected: 0x0304 })));
    const big = record(23, Buffer.alloc(16000));
    for (let i = 0; i < 100; i++) parser.push(big.subarray(0, 7)), parser.push(big.subarray(7));
    expect(parser.bufferedBytes).toBeLessThanOrEqual(5);
  });
});

describe('looksLikeClientHello', () => {
  it('judges the bytes it has', () => {
    expect(looksLikeClientHello(Buffer.from([22, 3, 1, 0, 200, 1]))).toBe(true);
    expect(looksLikeClientHello(Buffer.from([22]))).toBe(true);
    expect(looksLikeClientHello(Buffer.from([22, 3, 1, 0, 200, 2]))).toBe(false);
    expect(looksLikeClientHello(Buffer.from('EHLO client.test\r\n'))).toBe(false);
    expect(looksLikeClientHello(Buffer.alloc(0))).toBe(false);
  });
});
