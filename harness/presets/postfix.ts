import type { MtaPreset } from './mta-preset.js';

/**
 * Postfix with `smtp_tls_security_level = may` (the default from 3.11) [PF-conf][PF-TLS].
 * - 454 (or any non-220) to STARTTLS: plaintext in the same session, MAIL FROM right after the reply (observed with
 *   Postfix 3.7.11, docs/behaviour.md#B-454-postfix; [PF-smtp] smtp_proto.c).
 * - Failed handshake: `4.7.5 Cannot start TLS: handshake failure`, deferred; a later attempt retries TLS and, once
 *   the message is minimal_backoff_time (300s) old, opens a new plaintext connection at once
 *   (PLAINTEXT_FALLBACK_OK_AFTER_STARTTLS_FAILURE in smtp.h; [PF-HIST] 20140218, 20230917;
 *   observed, docs/behaviour.md#B-handshake-postfix).
 * - TLS versions: `smtp_tls_protocols = >=TLSv1` (the 3.7 default, `postconf -d`) [PF-conf], so a TLS 1.0-only next hop
 *   gets TLS: observed with Postfix 3.7.11, `TLSv1 with cipher ECDHE-ECDSA-AES256-SHA`, delivered
 *   (docs/behaviour.md#A-old-tls).
 * - Retries back off from minimal_backoff_time 300s, doubling up to maximal_backoff_time 4000s [PF-conf].
 * - Received: the `smtpd_tls_received_header = yes` form, byte for byte as observed with Postfix 3.7.11 over TLS 1.3,
 *   TLS 1.2 and plaintext (docs/behaviour.md#R-postfix, test/engines/received-exact.test.ts).
 */
export const postfix: MtaPreset = {
  name: 'postfix',
  product: 'Postfix, smtp_tls_security_level = may',
  inbound: { received: 'postfix' },
  outbound: {
    tls: 'opportunistic',
    fallback: 'next-attempt',
    fallbackAfter: '5m',
    starttlsRejected: 'continue',
    replies: 'postfix',
    retry: ['5m', '10m', '20m', '40m', '4000s'],
    tlsMinVersion: 'TLSv1',
  },
  sources: ['[PF-smtp]', '[PF-HIST]', '[PF-conf]', '[PF-smtpd]', 'docs/behaviour.md#B-postfix'],
  note:
    'Plaintext after a failed handshake only once the message is 300s old (no parameter turns it off at level may). ' +
    'Header as observed with Postfix 3.7.11 (smtpd_tls_received_header = yes): `server-signature ECDSA (prime256v1)` ' +
    '(mailhop\'s hop keys), a key-exchange line under TLS 1.3 only, and a space-padded day (`Sun,  6 Dec`); the ' +
    'key-exchange group is written as X25519 (the hop cannot see the negotiated group).',
};
