import type { MtaPreset } from './mta-preset.js';

/**
 * Exim 4.9x defaults: STARTTLS whenever offered (hosts_avoid_tls unset), `tls_tempfail_tryclear = true` [EX-spec].
 * - 454 (and 5xx) to STARTTLS: plaintext in the same session (observed with Exim 4.96, docs/behaviour.md#B-454-exim).
 * - Failed handshake: a new plaintext connection at once, same attempt: `TLS session: (gnutls_handshake): <GnuTLS's
 *   words>: delivering unencrypted to H=... (not in hosts_require_tls)` (observed with Exim 4.96; [EX-smtp];
 *   docs/behaviour.md#B-handshake-exim).
 * - TLS versions: GnuTLS's default priority (`tls_require_ciphers` unset) still includes TLS 1.0, so a TLS 1.0-only
 *   next hop gets TLS: observed with Exim 4.96 (GnuTLS), `X=TLS1.0:ECDHE_X25519__AES_256_CBC__SHA1:256`, delivered
 *   (docs/behaviour.md#A-old-tls).
 * - Reply lines injected after the 220 to STARTTLS: treated as a failed handshake (`TLS session: synch error before
 *   connect: delivering unencrypted to H=... (not in hosts_require_tls)`), the connection dropped and the message
 *   delivered on a new one in clear: observed with Exim 4.96 (docs/behaviour.md#A-inject-response).
 * - Retries: the default retry rule `F,2h,15m; ...`, so every 15 minutes at first [EX-spec].
 * - Received ≥4.93: `with esmtps  (TLS1.3) tls <cipher>` (RFC 8314 clause) [EX-CL], byte for byte as observed with
 *   Exim 4.96 over TLS 1.3, TLS 1.2 and plaintext (test/engines/received-exact.test.ts).
 */
export const exim: MtaPreset = {
  name: 'exim',
  product: 'Exim 4.9x (GnuTLS), tls_tempfail_tryclear = true',
  inbound: { received: 'exim' },
  outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsRejected: 'continue', replies: 'exim', retry: ['15m'], tlsMinVersion: 'TLSv1',
    starttlsTrailingData: 'handshake-failure' },
  sources: ['[EX-spec]', '[EX-smtp]', '[EX-CL]', 'docs/behaviour.md#B-exim'],
  note:
    'Header as observed with Exim 4.96 (docs/behaviour.md#R-exim): two spaces after esmtps, a two-digit day ' +
    '(`Sun, 06 Dec`), and under TLS 1.3 a TLS 1.2-style suite name that says ECDHE_RSA whatever the key ' +
    '(observed TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 with mailhop\'s ECDSA keys). A failed handshake is logged in ' +
    'GnuTLS\'s words (`The TLS connection was non-properly terminated.`, `Handshake failed`, `timed out`), as observed.',
};
