import type { MtaPreset } from './mta-preset.js';

/**
 * Postfix with `smtp_tls_security_level = encrypt`: TLS required, certificate not checked [PF-TLS][PF-conf].
 * Deferral texts as observed with Postfix 3.7.11 (docs/behaviour.md#B-mandatory-postfix): `TLS is required, but was not offered by host H[ip]` (4.7.4),
 * `TLS is required, but host H[ip] refused to start TLS: <reply>` (the reply's own enhanced code),
 * `Cannot start TLS: handshake failure` (4.7.5). Never plaintext. A 5xx to STARTTLS bounces at once, keeping the
 * reply's enhanced code when its class matches (`554 5.7.0 ...`: dsn=5.7.0, status=bounced; observed with Postfix 3.7.11).
 * TLS versions: `smtp_tls_mandatory_protocols = >=TLSv1` (the 3.7 default) [PF-conf]: a TLS 1.0-only next hop gets
 * `TLSv1 with cipher ECDHE-ECDSA-AES256-SHA`, delivered (observed with Postfix 3.7.11, docs/behaviour.md#A-old-tls).
 */
export const postfixEncrypt: MtaPreset = {
  name: 'postfix-encrypt',
  product: 'Postfix, smtp_tls_security_level = encrypt',
  inbound: { received: 'postfix' },
  outbound: { tls: 'mandatory', replies: 'postfix', retry: ['5m', '10m', '20m', '40m', '4000s'], tlsMinVersion: 'TLSv1' },
  sources: ['[PF-TLS]', '[PF-conf]', '[PF-smtp]', 'docs/behaviour.md#B-mandatory-postfix'],
  note: 'A 4xx to STARTTLS, a missing STARTTLS or a failed handshake defers and retries with TLS until maximal_queue_lifetime (5d), then bounces; a 5xx to STARTTLS bounces at once.',
};
