import type { MtaPreset } from './mta-preset.js';

/**
 * sendmail with `confTLS_FALLBACK_TO_CLEAR` (TLSFallbacktoClear): after a failed handshake it reconnects at once
 * without STARTTLS (`{verify}=CLEAR`) [SM-op]; observed ≈1 ms later, same attempt (docs/behaviour.md#B-handshake-sendmail). 454 as
 * plain sendmail: plaintext in the same session. TLS versions and ciphers as the `sendmail` preset: a TLS 1.0-only
 * next hop fails the handshake (`legacy sigalg disallowed or unsupported`), then plaintext on a new connection at
 * once (observed with Sendmail 8.17.1.9, docs/behaviour.md#A-old-tls).
 */
export const sendmailFallback: MtaPreset = {
  name: 'sendmail-fallback',
  product: 'sendmail 8.x, TLSFallbacktoClear = true',
  inbound: { received: 'sendmail' },
  outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsRejected: 'continue', replies: 'sendmail', tlsMinVersion: 'TLSv1', tlsCiphers: 'DEFAULT' },
  sources: ['[SM-op]', '[SM-deliver]', 'docs/behaviour.md#B-handshake-sendmail'],
  note: '454 with the flag set was not observed (the flag concerns handshake failures); plain sendmail continues.',
};
