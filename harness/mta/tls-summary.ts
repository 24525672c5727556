/**
 * What a completed TLS handshake of mailhop's client gave (version, cipher, the certificate's facts, whether the
 * session was resumed), read from the established socket, and the keeping of the sessions its server issues.
 */
import type tls from 'node:tls';
import { sessionExporter } from './tls-exporter.js';
import type { CachedTlsSession, CertificateFacts, TlsSessionCache } from './tls-session-cache.js';

/** What a completed TLS handshake gave. */
export interface TlsSummary {
  version: string;
  cipher: string;
  /** The peer certificate chained to the run's CA and matched the expected hostname. */
  verified: boolean;
  /** Why verification failed (Node's code, e.g. `CERT_HAS_EXPIRED`), when it did. */
  verifyError?: string;
  /** eNULL suite: TLS framing without encryption (docs/behaviour.md#A-enull). */
  nullCipher: boolean;
  /**
   * The server resumed the session the client offered (an abbreviated handshake, RFC 8446 §2.2, RFC 5077): no
   * certificate crossed, and `verified`/`verifyError` are those of the full handshake that established the session
   * (tls-session-cache.ts). Absent after a full handshake.
   */
  resumed?: true;
  /**
   * 16 bytes of keying material exported from the session, hex (RFC 5705; RFC 8446 §7.5), label
   * `EXPORTER-mailhop-link-binding` (tls-exporter.ts). Both ends of one TLS session compute the same value; a party
   * that terminates TLS in between (an interceptor) holds two sessions, so the sender's and the
   * receiver's values differ even when every certificate looks right.
   */
  exporter?: string;
}

/**
 * Keeps every session the server issues on `socket` (TLS 1.2: before the handshake ends; TLS 1.3: tickets after it,
 * RFC 8446 §4.6.1), with the certificate facts the returned function is given once the handshake is done.
 */
export function keepIssuedSessions(socket: tls.TLSSocket, sessions: TlsSessionCache): (facts: CertificateFacts) => void {
  let issued: Buffer | undefined;
  let facts: CertificateFacts | undefined;
  socket.on('session', (session: Buffer) => {
    issued = session;
    if (facts) sessions.remember(session, facts);
  });
  return (known) => {
    facts = known;
    if (issued) sessions.remember(issued, facts);
  };
}

/**
 * Reads version, cipher and the certificate verdict from an established TLS socket. After a full handshake Node has
 * already checked the chain and the name (`tls.checkServerIdentity` against `servername`, RFC 6125): a wrong name
 * shows as `authorized: false` with `ERR_TLS_CERT_ALTNAME_INVALID`, so the certificate is not parsed a second time
 * here. After a resumed one no certificate crossed and Node checks no name, so the facts are those kept with the
 * session it resumed (`offered`, tls-session-cache.ts).
 */
export function summarizeTls(socket: tls.TLSSocket, offered: CachedTlsSession | undefined): TlsSummary {
  const cipher = socket.getCipher();
  const resumed = Boolean(offered) && socket.isSessionReused();
  const verifyError = resumed ? offered!.certificate.verifyError : socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown');
  const exporter = sessionExporter(socket);
  return {
    ...(resumed ? { resumed: true as const } : {}),
    ...(exporter ? { exporter } : {}),
    version: socket.getProtocol() ?? 'unknown',
    cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
    verified: !verifyError,
    verifyError,
    nullCipher: /NULL/i.test(cipher?.name ?? ''),
  };
}
