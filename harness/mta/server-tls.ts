/**
 * The TLS side of a hop's smtp-server: the versions and ciphers it offers (scenario `inbound.tls`), and what a
 * session negotiated, as its Received header and the receiver's account name it.
 */
import crypto from 'node:crypto';
import type { SMTPServerSession } from 'smtp-server';
import type { Inbound, TlsVersion } from '../scenario/schema.js';

/**
 * The hop's server-side TLS versions, ciphers and tickets (Node `tls.SecureContextOptions` keys). smtp-server builds one
 * context from them for every connection of the hop, so its ticket keys (OpenSSL makes them with the context) hold for
 * the run and a client may resume (`resumption: tickets`, docs/behaviour.md#B-resumption).
 */
export function serverTlsOptions(inbound: Inbound): { minVersion?: TlsVersion; maxVersion?: TlsVersion; ciphers?: string; secureOptions?: number } {
  const t = inbound.tls ?? {};
  const legacy = t.minVersion === 'TLSv1' || t.minVersion === 'TLSv1.1' || t.maxVersion === 'TLSv1' || t.maxVersion === 'TLSv1.1';
  return {
    ...(t.minVersion ? { minVersion: t.minVersion } : {}),
    ...(t.maxVersion ? { maxVersion: t.maxVersion } : {}),
    // OpenSSL 3 refuses TLS < 1.2 at the default security level (docs/behaviour.md#N-openssl); an explicit list wins.
    ...(t.ciphers ? { ciphers: t.ciphers } : legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    // No ticket taken; and Node keeps no server-side session cache unless asked ('resumeSession'), so no resumption at all.
    ...(t.resumption === 'none' ? { secureOptions: crypto.constants.SSL_OP_NO_TICKET } : {}),
  };
}

/** How a session is secured, from smtp-server's session and the negotiated protocol; null for plaintext. */
export function tlsOf(session: SMTPServerSession, protocol: string | undefined): SessionTls | null {
  if (!session.secure) return null;
  const info = session.tlsOptions as unknown as { name?: string; standardName?: string; version?: string } | false;
  const name = (info && (info.standardName || info.name)) || 'unknown';
  const openssl = info && info.name && info.name !== name ? { opensslName: info.name } : {};
  return { version: protocol ?? ((info && info.version) || 'unknown'), cipher: name, ...openssl, nullCipher: /NULL/i.test(name) };
}

/** The session's TLS: IANA suite name, and OpenSSL's when it differs (product headers print either). */
export type SessionTls = { version: string; cipher: string; opensslName?: string; nullCipher: boolean };
