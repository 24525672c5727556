import type { MtaPreset } from './mta-preset.js';

/**
 * sendmail 8.x defaults: STARTTLS whenever offered, any certificate [SM-cf][SM-op].
 * - 454 to STARTTLS: plaintext in the same session (`{verify}=TEMP` passes tls_server without an access map;
 *   observed, docs/behaviour.md#B-454-sendmail).
 * - Failed handshake: the tls_server ruleset rejects `{verify}=SOFTWARE` (cf/m4/proto.m4 TLS_connection), the
 *   connection is dropped, the message queued; every queue run tries STARTTLS again, so it never goes plaintext
 *   unless TLSFallbacktoClear is set: deliver.c reconnects without STARTTLS only `if (TLSFallbacktoClear ||
 *   SM_TLSI_IS(&mci->mci_tlsi, TLSI_FL_FB2CLR))` [SM-op][SM-deliver]. Observed (docs/behaviour.md#B-handshake-sendmail, and again with
 *   mailhop's engine config, test/engines/fidelity.test.ts): Debian 12's 8.17.1.9 logs `ruleset=tls_server,
 *   arg1=SOFTWARE, ..., reject=454 4.7.0 TLS handshake failed.` and `stat=Deferred: 454 4.7.0 TLS handshake
 *   failed.` on the first attempt (in the receiving daemon's child) and on every `-q1s` queue run (proto.m4's
 *   default TLS_ERRCODE is 454, which mta/local-replies.ts uses).
 * - TLS versions: OpenSSL's own range (TLS 1.0 to 1.3) and its `DEFAULT` list at its default security level, since
 *   sendmail.cf sets no CipherList [SM-op]: a TLS 1.0-only next hop is offered TLS 1.0, but OpenSSL 3 refuses the
 *   server's SHA-1 signature: observed with Sendmail 8.17.1.9 (OpenSSL 3.0), `STARTTLS=client, error: connect
 *   failed=-1, reason=legacy sigalg disallowed or unsupported`, then as after any failed handshake
 *   (docs/behaviour.md#A-old-tls). `tlsCiphers: DEFAULT` keeps that level, so the mock fails the same way.
 * - Fallback memory: per destination within a queue run (`fallbackMemory: destination-run`). Observed with Sendmail
 *   8.17.1.9, two messages to a hop whose handshake fails: each is tried once on arrival, in its own process; the
 *   queue run after connects for the message it takes first and defers the other without a connection
 *   (`relay=[127.0.0.1], dsn=4.7.0, stat=Deferred`, no STARTTLS line) (docs/behaviour.md#B-fallback-memory).
 * - Received: `(version=... cipher=... bits=... verify=NO)` and a date like `Sun, 6 Dec 2026 23:56:23 GMT`, byte for
 *   byte as observed with Sendmail 8.17.1.9 over TLS 1.3, TLS 1.2 and plaintext (docs/behaviour.md#R-sendmail,
 *   test/engines/received-exact.test.ts).
 */
export const sendmail: MtaPreset = {
  name: 'sendmail',
  product: 'sendmail 8.x, default (no TLSFallbacktoClear)',
  inbound: { received: 'sendmail' },
  outbound: { tls: 'opportunistic', fallback: 'never', fallbackMemory: 'destination-run', starttlsRejected: 'continue', replies: 'sendmail', tlsMinVersion: 'TLSv1', tlsCiphers: 'DEFAULT' },
  sources: ['[SM-cf]', '[SM-op]', '[SM-deliver]', '[SM-cfhead]', 'docs/behaviour.md#B-sendmail'],
  note:
    'Observed header (Sendmail 8.17.1.9) says verify=NO (sendmail asks for a client certificate, none is given), not ' +
    'verify=NOT, and dates without padding (`Sun, 6 Dec ... GMT`). Retries follow the hop\'s retry schedule ' +
    '(sendmail: each queue run, -q interval).',
};
