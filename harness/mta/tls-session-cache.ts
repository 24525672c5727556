/**
 * TLS session resumption on mailhop's client (`outbound.tlsResumption: tickets`, docs/behaviour.md#B-resumption): the
 * session the next hop issued on one connection (a TLS 1.3 ticket, RFC 8446 §4.6.1; a TLS 1.2 ticket, RFC 5077 §3.3,
 * or session id) is kept and offered on the next connection to the same next hop (Node's `session` option), whose
 * server may resume it with an abbreviated handshake, in which no certificate crosses.
 *
 * Why the certificate facts travel with the session: Node checks the peer's name only after a full handshake
 * (`tls.checkServerIdentity` is skipped when `isSessionReused()`), and on a resumed session `getPeerCertificate()`
 * is an empty object and `authorized` is OpenSSL's stored chain result. A session first established with a
 * `wrong-host` certificate would resume as "authorized"; so the facts of the full handshake that established the
 * session (valid or not, and why) are kept beside it and given to every connection that resumes it.
 */

import type { Outbound, Submit } from '../scenario/policies.js';

/** True when `policy` keeps TLS sessions to resume them (`tlsResumption: tickets`). */
export function resumesTls(policy: Outbound | Submit): boolean {
  return 'tlsResumption' in policy && policy.tlsResumption === 'tickets';
}

/** What the full handshake that established a session found of the peer's certificate. */
export interface CertificateFacts {
  /** The certificate chained to the run's CA and named the expected host (RFC 6125). */
  verified: boolean;
  /** Why not (Node's code, e.g. `ERR_TLS_CERT_ALTNAME_INVALID`), when it did not. */
  verifyError?: string;
}

/** A session to offer, with the certificate facts of the handshake that first established it. */
export interface CachedTlsSession {
  /** The serialized session as Node's `'session'` event gives it (opaque DER of OpenSSL's SSL_SESSION). */
  session: Buffer;
  certificate: CertificateFacts;
}

/**
 * The session kept for one next hop: at most one, the newest the server issued. Like Postfix's TLS session cache (one
 * entry per next hop and TLS policy), the same session may be offered on several connections; a server may decline
 * it, and then the full handshake's new session replaces it. One cache per sender and next hop (a hop's relay queue
 * makes it), whose client TLS versions and ciphers are one set, so a kept session always fits the next ClientHello.
 */
export class TlsSessionCache {
  #kept: CachedTlsSession | undefined;

  /** The session to offer on the next connection, if one is kept. */
  offer(): CachedTlsSession | undefined {
    return this.#kept;
  }

  /** Keeps `session`, issued on a connection whose certificate facts are `certificate` (a resumed one's: the original's). */
  remember(session: Buffer, certificate: CertificateFacts): void {
    this.#kept = { session, certificate: { ...certificate } };
  }
}
