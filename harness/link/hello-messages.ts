/**
 * The two plaintext handshake messages the wire witness reads: the ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2)
 * and the ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3), each after its 4-byte handshake header. Only what a
 * verdict needs: the negotiated version and suite, and what tells a resumed session from a new one.
 */
import { cipherSuiteName, isNullCipher } from './tls-names.js';

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
  /** legacy_session_id_echo (TLS 1.3) or session_id (TLS 1.2 and below), 0 to 32 bytes. */
  sessionId: Buffer;
  /** The pre_shared_key extension (41) is present: a TLS 1.3 server accepted one of the client's PSKs, a resumption (RFC 8446 §4.2.11). */
  pskSelected: boolean;
}

/** What a ClientHello offers towards resuming an earlier session. */
export interface ClientOffer {
  /** legacy_session_id (TLS 1.3: random, for middlebox compatibility) or session_id (TLS 1.2: a cached session's), 0 to 32 bytes. */
  sessionId: Buffer;
  /** The pre_shared_key extension (41): TLS 1.3 resumption with a ticket (RFC 8446 §2.2, §4.2.11). */
  pskOffered: boolean;
  /** A non-empty SessionTicket extension (35): TLS 1.2 resumption with a ticket (RFC 5077 §3.2). */
  ticketOffered: boolean;
}

/** RFC 8446 §4.1.3: the random of a HelloRetryRequest is SHA-256("HelloRetryRequest"). */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
const EXT_SESSION_TICKET = 0x0023;
const EXT_PRE_SHARED_KEY = 0x0029;
const EXT_SUPPORTED_VERSIONS = 0x002b;
const VERSIONS: Readonly<Record<number, TlsVersion>> = {
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

/**
 * Parses a ServerHello body (after the 4-byte handshake header).
 *
 * @returns the negotiated version and suite, the session id and whether a PSK was selected, or `undefined` when the
 *   body is malformed or names a version other than TLS 1.0..1.3
 */
export function parseServerHello(body: Buffer): ServerHello | undefined {
  if (body.length < 38) return undefined;
  let version = body.readUInt16BE(0);
  const helloRetry = body.subarray(2, 34).equals(HRR_RANDOM);
  let at = 34;
  const sessionId = Buffer.from(body.subarray(at + 1, at + 1 + Math.min(body[at], 32)));
  at += 1 + body[at];
  if (at + 3 > body.length) return undefined;
  const cipherCode = body.readUInt16BE(at);
  at += 3; // cipher suite + legacy_compression_method
  let pskSelected = false;
  for (const ext of extensions(body, at)) {
    if (ext.type === EXT_SUPPORTED_VERSIONS && ext.data.length === 2) version = ext.data.readUInt16BE(0);
    if (ext.type === EXT_PRE_SHARED_KEY) pskSelected = true;
  }
  const name = VERSIONS[version];
  if (!name) return undefined;
  return { version: name, cipher: cipherSuiteName(cipherCode), cipherCode, nullCipher: isNullCipher(cipherCode), helloRetry, sessionId, pskSelected };
}

/**
 * Parses a ClientHello body (after the 4-byte handshake header) for what it offers to resume.
 * @returns the offer, or `undefined` when the body is too short to hold a session id
 */
export function parseClientHello(body: Buffer): ClientOffer | undefined {
  let at = 34; // legacy_version + random
  if (at >= body.length) return undefined;
  const sessionId = Buffer.from(body.subarray(at + 1, at + 1 + Math.min(body[at], 32)));
  at += 1 + body[at];
  if (at + 2 > body.length) return { sessionId, pskOffered: false, ticketOffered: false };
  at += 2 + body.readUInt16BE(at); // cipher_suites
  if (at + 1 > body.length) return { sessionId, pskOffered: false, ticketOffered: false };
  at += 1 + body[at]; // legacy_compression_methods
  let pskOffered = false;
  let ticketOffered = false;
  for (const ext of extensions(body, at)) {
    if (ext.type === EXT_PRE_SHARED_KEY) pskOffered = true;
    if (ext.type === EXT_SESSION_TICKET && ext.data.length > 0) ticketOffered = true;
  }
  return { sessionId, pskOffered, ticketOffered };
}

/** The extensions block at `at` (a 2-byte length, then type, length, data each), as far as the bytes go. */
function* extensions(body: Buffer, at: number): Generator<{ type: number; data: Buffer }> {
  if (at + 2 > body.length) return;
  const end = Math.min(body.length, at + 2 + body.readUInt16BE(at));
  at += 2;
  while (at + 4 <= end) {
    const type = body.readUInt16BE(at);
    const length = body.readUInt16BE(at + 2);
    if (at + 4 + length > end) return;
    yield { type, data: body.subarray(at + 4, at + 4 + length) };
    at += 4 + length;
  }
}
