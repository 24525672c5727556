import type { MtaPreset } from './mta-preset.js';

/**
 * sendmail with `confTLS_FALLBACK_TO_CLEAR` (TLSFallbacktoClear): after a failed handshake it reconnects at once
 * without STARTTLS (`{verify}=CLEAR`) [SM-op]; observed ≈1 ms later, same attempt (docs/behaviour.md#B-handshake-sendmail). 454 as
 * plain sendmail: plaintext in the same session.
 */
export const sendmailFallback: MtaPreset = {
  name: 'sendmail-fallback',
  product: 'sendmail 8.x, TLSFallbacktoClear = true',
  inbound: { received: 'sendmail' },
  outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsRejected: 'continue', replies: 'sendmail' },
  sources: ['[SM-op]', '[SM-deliver]', 'docs/behaviour.md#B-handshake-sendmail'],
  note: '454 with the flag set was not observed (the flag concerns handshake failures); plain sendmail continues.',
};
