/**
 * Credentials that crossed a link in clear: SMTP AUTH (RFC 4954) responses the wire witness read outside TLS
 * (link/sasl-in-clear.ts). Like content in clear where TLS was required (a `leak`), always a failure, whatever the
 * scenario expects and whoever sent them: a client that authenticates before STARTTLS, or goes on after STARTTLS was
 * stripped, hands its password to anyone on the path (RFC 4954 §4 and RFC 8314 §3: use AUTH only inside TLS).
 */
import type { TraceIndex } from './trace-index.js';

/** One credential seen in clear on a link. */
export interface CredentialLeak {
  link: string;
  /** The wire record of the connection, e.g. `client->relay#1`. */
  connection: string;
  /** `PLAIN`, `LOGIN`, `XOAUTH2`, `OAUTHBEARER`. */
  mechanism: string;
  /** `password` (the secret: a password or a bearer token) or `username` (LOGIN's first line alone). */
  what: 'password' | 'username';
  user?: string;
}

/** Every credential the wire saw in clear on `link`, in connection order. */
export function credentialLeaks(index: TraceIndex, link: string): CredentialLeak[] {
  return index.wires(link).flatMap(({ record: r }) =>
    (r.credentialsInClear ?? []).map((c) => ({ link, connection: r.id, mechanism: c.mechanism, what: c.what, ...(c.user !== undefined ? { user: c.user } : {}) })),
  );
}

/** In words, e.g. `AUTH PLAIN password of app on client->relay#1`. */
export function describeLeak(leak: CredentialLeak): string {
  const whose = leak.user !== undefined ? ` of ${leak.user}` : '';
  return `AUTH ${leak.mechanism} ${leak.what}${whose} on ${leak.connection}`;
}
