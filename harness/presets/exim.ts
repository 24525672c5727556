import type { MtaPreset } from './mta-preset.js';

/**
 * Exim 4.9x defaults: STARTTLS whenever offered (hosts_avoid_tls unset), `tls_tempfail_tryclear = true` [EX-spec].
 * - 454 (and 5xx) to STARTTLS: plaintext in the same session (observed with Exim 4.96, docs/behaviour.md#B-454-exim).
 * - Failed handshake: a new plaintext connection at once, same attempt: `delivering unencrypted to H=...
 *   (not in hosts_require_tls)` (observed; [EX-smtp]).
 * - TLS versions: GnuTLS's default priority (`tls_require_ciphers` unset) still includes TLS 1.0, so a TLS 1.0-only
 *   next hop gets TLS: observed with Exim 4.96 (GnuTLS), `X=TLS1.0:ECDHE_X25519__AES_256_CBC__SHA1:256`, delivered
 *   (docs/behaviour.md#A-old-tls).
 * - Retries: the default retry rule `F,2h,15m; ...`, so every 15 minutes at first [EX-spec].
 * - Received ≥4.93: `with esmtps  (TLS1.3) tls <cipher>` (RFC 8314 clause) [EX-CL].
 */
export const exim: MtaPreset = {
  name: 'exim',
  product: 'Exim 4.9x (GnuTLS), tls_tempfail_tryclear = true',
  inbound: { received: 'exim' },
  outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsRejected: 'continue', replies: 'exim', retry: ['15m'], tlsMinVersion: 'TLSv1' },
  sources: ['[EX-spec]', '[EX-smtp]', '[EX-CL]', 'docs/behaviour.md#B-exim'],
  note:
    'Header as observed from Exim 4.96 (docs/behaviour.md#R-exim): two spaces after esmtps, and a ' +
    'TLS 1.2-style suite name even for TLS 1.3 (GnuTLS); with mailhop\'s ECDSA keys it reads ' +
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (inferred from the RSA observation).',
};
