/**
 * A pure, incremental reader of the TLS record layer as it crosses a link after STARTTLS
 * (RFC 3207 §4) or from byte 0 on an implicit-TLS link (RFC 8314 §3). It never decrypts: it reads
 * record headers (RFC 8446 §5.1, RFC 5246 §6.2), the first plaintext handshake message in each
 * direction (ClientHello / ServerHello) and plaintext alerts, and counts everything else.
 */
import { alertName, cipherSuiteName, isNullCipher } from './tls-names.js';

/** A negotiated protocol version, named as Node's `getProtocol()` names it. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** What the ServerHello says was negotiated. */
export interface ServerHello {
  /** From the supported_versions extension (0x002b) when present (TLS 1.3), else legacy_version. */
  version: TlsVersion;
  /** OpenSSL-style name for common suites (`TLS_AES_256_GCM_SHA384`, `NULL-SHA256`), else `0xC02C`. */
  cipher: string;
  /** The two-byte cipher suite code, e.g. `0x1302`. */
  cipherCode: number;
  /** True for eNULL suites: "TLS" that does not encrypt (docs/behaviour.md#A-enull). */
  nullCipher: boolean;
  /** True for a TLS 1.3 HelloRetryRequest (RFC 8446 §4.1.3): a real ServerHello follows. */
  helloRetry: boolean;
}

/** A plaintext alert record (RFC 8446 §6): 2 bytes, level then description. */
export interface TlsAlert {
  /** 1 = warning; anything else is treated as fatal. */
  level: 'warning' | 'fatal';
  /** e.g. `handshake_failure` (40), `protocol_version` (70). */
  description: string;
  /** The description byte. */
  code: number;
}

/** What the reader saw in a chunk, in wire order. */
export type TlsWireEvent =
  /** A record header: content type 20 ChangeCipherSpec, 21 alert, 22 handshake, 23 application data. */
  | { kind: 'record'; contentType: number; length: number }
  /** The first handshake message was a ClientHello (handshake type 1). */
  | { kind: 'client-hello' }
  /** A ServerHello (handshake type 2); after a HelloRetryRequest, a second one follows. */
  | { kind: 'server-hello'; hello: ServerHello }
  | { kind: 'alert'; alert: TlsAlert }
  /** Bytes that cannot start a TLS record; the reader ignores everything after them. */
  | { kind: 'not-tls'; sample: Buffer };

const EMPTY = Buffer.alloc(0);
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
/** RFC 8446 §5.2: a protected record is at most 2^14 + 256 bytes; TLS 1.2 allows 2^14 + 2048. */
const MAX_RECORD = 16384 + 2048;
/** The first handshake message is collected up to this size; a ServerHello is far smaller. */
const MAX_HANDSHAKE = 65536;
/** RFC 8446 §4.1.3: the random of a HelloRetryRequest is SHA-256("HelloRetryRequest"). */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
const VERSIONS: Readonly<Record<number, TlsVersion>> = {
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

/**
 * Reads one direction of a TLS stream, chunk by chunk; records may be split anywhere.
 * Memory is bounded: a 5-byte header, at most 64 KiB of the first handshake message, 2 alert bytes.
 *
 * @example
 * const server = new TlsRecordParser();
 * for (const ev of server.push(chunk)) if (ev.kind === 'server-hello') console.log(ev.hello.cipher);
 */
export class TlsRecordParser {
  #header = EMPTY;
  #remaining = 0;
  #contentType = 0;
  #collect: Buffer[] = [];
  #collecting = false;
  #handshake = EMPTY;
  #wantHandshake = true;
  #dead = false;

  /** True once bytes that cannot be TLS were seen; later chunks are ignored. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Bytes held for incomplete headers, alerts and the first handshake message. */
  get bufferedBytes(): number {
    return this.#header.length + this.#handshake.length + this.#collect.reduce((n, b) => n + b.length, 0);
  }

  /** Feeds the next chunk; returns the events it completed, in order. */
  push(chunk: Buffer): TlsWireEvent[] {
    const events: TlsWireEvent[] = [];
    let at = 0;
    while (at < chunk.length && !this.#dead) {
      if (this.#remaining === 0) {
        // A whole header in the chunk (the usual case) is read where it is, without copying it.
        if (this.#header.length === 0 && chunk.length - at >= 5) {
          const header = chunk.subarray(at, at + 5);
          if (!plausibleHeader(header)) {
            this.#kill(events, chunk.subarray(at));
            break;
          }
          at += 5;
          this.#startRecord(events, header);
          continue;
        }
        const need = 5 - this.#header.length;
        this.#header = Buffer.concat([this.#header, chunk.subarray(at, at + need)]);
        at += Math.min(need, chunk.length - at);
        if (this.#header.length < 5) {
          if (!plausibleHeader(this.#header)) this.#kill(events, this.#header);
          break;
        }
        if (!plausibleHeader(this.#header)) {
          this.#kill(events, Buffer.concat([this.#header, chunk.subarray(at)]));
          break;
        }
        const header = this.#header;
        this.#header = EMPTY;
        this.#startRecord(events, header);
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      if (this.#collecting) this.#collect.push(chunk.subarray(at, at + take));
      at += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#endRecord(events);
    }
    return events;
  }

  #startRecord(events: TlsWireEvent[], header: Buffer): void {
    this.#contentType = header[0];
    const length = header.readUInt16BE(3);
    events.push({ kind: 'record', contentType: this.#contentType, length });
    // Only plaintext alerts are 2 bytes long; a protected one (TLS 1.2 after ChangeCipherSpec) is not.
    this.#collecting =
      (this.#contentType === CONTENT_HANDSHAKE && this.#wantHandshake) || (this.#contentType === CONTENT_ALERT && length === 2);
    if (this.#collecting) this.#collect = [];
    this.#remaining = length;
    if (length === 0) this.#endRecord(events);
  }

  #endRecord(events: TlsWireEvent[]): void {
    if (!this.#collecting) return;
    const body = Buffer.concat(this.#collect);
    this.#collect = [];
    this.#collecting = false;
    if (this.#contentType === CONTENT_ALERT) {
      events.push({ kind: 'alert', alert: { level: body[0] === 1 ? 'warning' : 'fatal', description: alertName(body[1]), code: body[1] } });
      return;
    }
    this.#handshake = Buffer.concat([this.#handshake, body]).subarray(0, MAX_HANDSHAKE + 4);
    this.#readHandshake(events);
  }

  /** Reads complete handshake messages until the one that matters was seen. */
  #readHandshake(events: TlsWireEvent[]): void {
    while (this.#wantHandshake && this.#handshake.length >= 4) {
      const type = this.#handshake[0];
      const length = this.#handshake.readUIntBE(1, 3);
      if (type === 1) {
        events.push({ kind: 'client-hello' });
        this.#stopHandshake();
        return;
      }
      if (type !== 2 || length > MAX_HANDSHAKE) {
        this.#stopHandshake();
        return;
      }
      if (this.#handshake.length < 4 + length) return;
      const hello = parseServerHello(this.#handshake.subarray(4, 4 + length));
      this.#handshake = this.#handshake.subarray(4 + length);
      if (hello) events.push({ kind: 'server-hello', hello });
      // After a HelloRetryRequest the real ServerHello comes in a later plaintext record.
      if (!hello?.helloRetry) this.#stopHandshake();
    }
  }

  #stopHandshake(): void {
    this.#wantHandshake = false;
    this.#handshake = EMPTY;
  }

  #kill(events: TlsWireEvent[], sample: Buffer): void {
    this.#dead = true;
    this.#header = EMPTY;
    this.#stopHandshake();
    events.push({ kind: 'not-tls', sample: Buffer.from(sample.subarray(0, 64)) });
  }
}

/** Whether the first bytes (up to 5) can start a TLS record: type 20..24, version 3.0..3.4, sane length. */
function plausibleHeader(h: Buffer): boolean {
  if (h.length >= 1 && (h[0] < 20 || h[0] > 24)) return false;
  if (h.length >= 2 && h[1] !== 3) return false;
  if (h.length >= 3 && h[2] > 4) return false;
  if (h.length >= 5 && h.readUInt16BE(3) > MAX_RECORD) return false;
  return true;
}

/**
 * Parses a ServerHello body (after the 4-byte handshake header; RFC 8446 §4.1.3, RFC 5246 §7.4.1.3).
 *
 * @returns the negotiated version and suite, or `undefined` when the body is malformed or names
 *   a version other than TLS 1.0..1.3
 */
export function parseServerHello(body: Buffer): ServerHello | undefined {
  if (body.length < 38) return undefined;
  let version = body.readUInt16BE(0);
  const helloRetry = body.subarray(2, 34).equals(HRR_RANDOM);
  let at = 34;
  at += 1 + body[at];
  if (at + 3 > body.length) return undefined;
  const cipherCode = body.readUInt16BE(at);
  at += 3; // cipher suite + legacy_compression_method
  if (at + 2 <= body.length) {
    const end = Math.min(body.length, at + 2 + body.readUInt16BE(at));
    at += 2;
    while (at + 4 <= end) {
      const type = body.readUInt16BE(at);
      const length = body.readUInt16BE(at + 2);
      if (type === 0x002b && length === 2 && at + 6 <= end) version = body.readUInt16BE(at + 4);
      at += 4 + length;
    }
  }
  const name = VERSIONS[version];
  if (!name) return undefined;
  return { version: name, cipher: cipherSuiteName(cipherCode), cipherCode, nullCipher: isNullCipher(cipherCode), helloRetry };
}

/**
 * Whether bytes from the client can be the start of a ClientHello: record type 22, version 3.x,
 * handshake type 1. Judges only the bytes given (at least one), so `0x16` alone answers `true`;
 * use {@link TlsRecordParser} for a definite answer.
 */
export function looksLikeClientHello(prefix: Buffer): boolean {
  if (prefix.length === 0 || !plausibleHeader(prefix.subarray(0, 5))) return false;
  return prefix[0] === CONTENT_HANDSHAKE && (prefix.length < 6 || prefix[5] === 1);
}
