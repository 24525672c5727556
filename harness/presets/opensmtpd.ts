import type { MtaPreset } from './mta-preset.js';

/**
 * OpenSMTPD 6.x relaying with `relay host smtp://...` (opportunistic STARTTLS, no certificate check).
 * - 454 to STARTTLS: plaintext in the same session (observed with OpenSMTPD 6.8.0p2, docs/behaviour.md#B-454-opensmtpd).
 * - Failed handshake: `opportunistic TLS failed, downgrading to plain`, then `smtp+notls://` at once (observed).
 * - TLS versions: a TLS 1.0-only next hop is offered TLS 1.0 and answers with ECDHE-ECDSA-AES256-SHA, but the client
 *   ends the handshake at the server's SHA-1 signature (alert internal_error, as Sendmail on the same OpenSSL 3),
 *   then plaintext at once (`opportunistic TLS failed, downgrading to plain`): observed with OpenSMTPD 6.8.0p2
 *   (Debian 12, libtls over OpenSSL 3; docs/behaviour.md#A-old-tls). `tlsMinVersion: TLSv1` with `tlsCiphers:
 *   DEFAULT` (OpenSSL's default security level) does the same on the wire.
 * - With `outbound.tls: mandatory` (`smtp+tls://`), the `mta error reason=` texts observed with OpenSMTPD 6.8.0p2:
 *   `TLS required but not supported by remote host`, `STARTTLS rejected: <reply>`, `IO Error: <OpenSSL error>`,
 *   `Connection timeout` (docs/behaviour.md#B-mandatory-opensmtpd).
 * - Fallback memory: per open session (`fallbackMemory: session`), one session at a time to the destination
 *   (`concurrencyLimit: 1`). Observed with OpenSMTPD 6.8.0p2, two messages to a hop whose handshake fails: one
 *   connection whose handshake fails, then one plaintext connection that carries both messages, the second without
 *   STARTTLS of its own; towards a hop whose TLS works, both ride one TLS connection (docs/behaviour.md#B-fallback-memory).
 * - Reply lines injected after the 220 to STARTTLS: the connection dropped before any handshake and the message
 *   deferred, `Remote host sent too much data` (no plaintext this attempt): observed with OpenSMTPD 6.8.0p2
 *   (docs/behaviour.md#A-inject-response).
 * - Received: `with ESMTPS id X (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)` [OSMTPD].
 */
export const opensmtpd: MtaPreset = {
  name: 'opensmtpd',
  product: 'OpenSMTPD 6.x, relay host smtp://',
  inbound: { received: 'opensmtpd' },
  outbound: {
    tls: 'opportunistic', fallback: 'reconnect', fallbackMemory: 'session', concurrencyLimit: 1, starttlsRejected: 'continue', replies: 'opensmtpd',
    tlsMinVersion: 'TLSv1', tlsCiphers: 'DEFAULT', starttlsTrailingData: 'defer',
  },
  sources: ['[OSMTPD]', 'docs/behaviour.md#B-opensmtpd'],
  note:
    'The TLS form of the header is from the source and list archives: inbound STARTTLS of the observed build (Debian 12, ' +
    '6.8.0p2 with OpenSSL 3) is broken, so it was never seen; the preset keeps the hop\'s own inbound mode. The plaintext ' +
    'header and the smtp+tls:// failure texts (`TLS required but not supported by remote host`, `STARTTLS rejected: ...`, ' +
    '`IO Error: error:0A000126:SSL routines::unexpected eof while reading`, ...) are as observed with OpenSMTPD 6.8.0p2. ' +
    'Only a plaintext session after a failed handshake is kept open for the next message (a TLS session is not: on a ' +
    'working link the preset opens one connection per message where the product carried both on one); ' +
    'OpenSMTPD\'s ramp-up to more connections per destination for a long queue is not modelled.',
};
