import type { MtaPreset } from './mta-preset.js';

/**
 * OpenSMTPD 6.x relaying with `relay host smtp://...` (opportunistic STARTTLS, no certificate check).
 * - 454 to STARTTLS: plaintext in the same session (observed with OpenSMTPD 6.8.0p2, docs/behaviour.md#B-454-opensmtpd).
 * - Failed handshake: `opportunistic TLS failed, downgrading to plain`, then `smtp+notls://` at once (observed).
 * - Received: `with ESMTPS id X (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)` [OSMTPD].
 */
export const opensmtpd: MtaPreset = {
  name: 'opensmtpd',
  product: 'OpenSMTPD 6.x, relay host smtp://',
  inbound: { received: 'opensmtpd' },
  outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsRejected: 'continue', replies: 'opensmtpd' },
  sources: ['[OSMTPD]', 'docs/behaviour.md#B-opensmtpd'],
  note:
    'The TLS form of the header is from the source and list archives: inbound STARTTLS of the observed build (Debian 12, ' +
    '6.8.0p2 with OpenSSL 3) is broken, so it was never seen; the preset keeps the hop\'s own inbound mode.',
};
