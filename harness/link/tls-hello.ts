/**
 * A pure, incremental reader of the TLS record layer as it crosses a link after STARTTLS
 * (RFC 3207 §4) or from byte 0 on an implicit-TLS link (RFC 8314 §3). It never decrypts: it reads
 * record headers (RFC 8446 §5.1, RFC 5246 §6.2), the first plaintext handshake message in each
 * direction (ClientHello / ServerHello) and plaintext alerts, and counts everything else.
 */
import { parseClientHello, parseServerHello, type ClientOffer, type ServerHello } from './hello-messages.js';
import { alertName } from './tls-names.js';

export { parseClientHello, parseServerHello, type ClientOffer, type ServerHello, type TlsVersion } from './hello-messages.js';

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
  /** The first handshake message is a ClientHello (handshake type 1): told as soon as its header crossed. */
  | { kind: 'client-hello' }
  /** The whole ClientHello crossed: what it offers to resume (RFC 8446 §2.2, RFC 5077 §3.2). */
  | { kind: 'client-offer'; offer: ClientOffer }
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
  #clientHelloTold = false;
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
      if ((type !== 1 && type !== 2) || length > MAX_HANDSHAKE) {
        this.#stopHandshake();
        return;
      }
      if (type === 1 && !this.#clientHelloTold) {
        // Told at its header: a connection closed in the middle of a ClientHello has a failed handshake, not none.
        this.#clientHelloTold = true;
        events.push({ kind: 'client-hello' });
      }
      if (this.#handshake.length < 4 + length) return;
      if (type === 1) {
        const offer = parseClientHello(this.#handshake.subarray(4, 4 + length));
        if (offer) events.push({ kind: 'client-offer', offer });
        this.#stopHandshake();
        return;
      }
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
 * Whether bytes from the client can be the start of a ClientHello: record type 22, version 3.x,
 * handshake type 1. Judges only the bytes given (at least one), so `0x16` alone answers `true`;
 * use {@link TlsRecordParser} for a definite answer.
 */
export function looksLikeClientHello(prefix: Buffer): boolean {
  if (prefix.length === 0 || !plausibleHeader(prefix.subarray(0, 5))) return false;
  return prefix[0] === CONTENT_HANDSHAKE && (prefix.length < 6 || prefix[5] === 1);
}
