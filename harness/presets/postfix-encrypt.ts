import type { MtaPreset } from './mta-preset.js';

/**
 * Postfix with `smtp_tls_security_level = encrypt`: TLS required, certificate not checked [PF-TLS][PF-conf].
 * Deferral texts as observed with Postfix 3.7.11 (docs/behaviour.md#B-mandatory-postfix): `TLS is required, but was not offered by host H[ip]` (4.7.4),
 * `TLS is required, but host H[ip] refused to start TLS: <reply>` (the reply's own enhanced code),
 * `Cannot start TLS: handshake failure` (4.7.5). Never plaintext.
 */
export const postfixEncrypt: MtaPreset = {
  name: 'postfix-encrypt',
  product: 'Postfix, smtp_tls_security_level = encrypt',
  inbound: { received: 'postfix' },
  outbound: { tls: 'mandatory', replies: 'postfix', retry: ['5m', '10m', '20m', '40m', '4000s'] },
  sources: ['[PF-TLS]', '[PF-conf]', '[PF-smtp]', 'docs/behaviour.md#B-mandatory-postfix'],
  note: 'Every failure defers and retries with TLS until maximal_queue_lifetime (5d), then bounces.',
};
