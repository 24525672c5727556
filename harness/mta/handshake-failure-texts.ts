/**
 * How two TLS libraries word a failed client handshake, for the local replies of the products built on them
 * (local-replies.ts): Exim 4.96 on GnuTLS and OpenSMTPD 6.8 on OpenSSL 3. mailhop's own client is Node's
 * OpenSSL; its failure description (smtp-client.ts `startTls`: `TLS handshake failed: <code> (<reason>)`,
 * `TLS handshake failed: ECONNRESET: <message>`, `TLS handshake timed out after <n> ms`) is read for what
 * happened on the wire and reworded as the product logs that same event.
 *
 * Observed with Exim 4.96 (exim4-daemon-light, GnuTLS) and OpenSMTPD 6.8.0p2 on Debian 12, each relaying to a
 * next hop that answered STARTTLS with 220 and then (docs/behaviour.md#B-handshake-exim, #B-mandatory-opensmtpd):
 *
 * | the next hop                    | Node's OpenSSL                        | Exim (GnuTLS)                                    | OpenSMTPD                                                      |
 * |---------------------------------|---------------------------------------|--------------------------------------------------|----------------------------------------------------------------|
 * | closed (FIN)                    | `Client network socket disconnected`  | `The TLS connection was non-properly terminated.` | `IO Error: error:0A000126:SSL routines::unexpected eof while reading` |
 * | reset (RST)                     | `read ECONNRESET`                     | `Error in the pull function.`                    | `IO Error: No TLS error`                                       |
 * | sent a `handshake_failure` alert | `sslv3 alert handshake failure`       | `Handshake failed`                               | `IO Error: error:0A000410:SSL routines::sslv3 alert handshake failure` |
 * | sent a plaintext line           | `wrong version number`                | `An unexpected TLS packet was received.`          | `IO Error: error:0A00010B:SSL routines::wrong version number`  |
 * | said nothing (its timeout)      | `TLS handshake timed out after n ms`  | `timed out` (after 300 s)                        | `Connection timeout` (after 300 s)                             |
 *
 * Other alerts follow the same rules: Exim prints the alert's description from GnuTLS's table (gnutls_alert_get_name(3),
 * lib/alert.c), OpenSMTPD OpenSSL's error string, whose reason code is 1000 + the alert number (RFC 8446 §6).
 * A failure outside these keeps mailhop's own description (never observed from the products).
 */

/** An alert as OpenSSL's reason names it (without `sslv3 alert ` / `tlsv1 alert `): its number (RFC 8446 §6, RFC 5246 §7.2) and GnuTLS's description. */
const ALERTS: Readonly<Record<string, readonly [number, string]>> = {
  'unexpected message': [10, 'Unexpected message'],
  'bad record mac': [20, 'Bad record MAC'],
  'decryption failed': [21, 'Decryption failed'],
  'record overflow': [22, 'Record overflow'],
  'decompression failure': [30, 'Decompression failed'],
  'handshake failure': [40, 'Handshake failed'],
  'bad certificate': [42, 'Certificate is bad'],
  'unsupported certificate': [43, 'Certificate is not supported'],
  'certificate revoked': [44, 'Certificate was revoked'],
  'certificate expired': [45, 'Certificate is expired'],
  'certificate unknown': [46, 'Unknown certificate'],
  'illegal parameter': [47, 'Illegal parameter'],
  'unknown ca': [48, 'CA is unknown'],
  'access denied': [49, 'Access was denied'],
  'decode error': [50, 'Decode error'],
  'decrypt error': [51, 'Decrypt error'],
  'protocol version': [70, 'Error in protocol version'],
  'insufficient security': [71, 'Insufficient security'],
  'internal error': [80, 'Internal error'],
  'inappropriate fallback': [86, 'Inappropriate fallback'],
  'user cancelled': [90, 'User canceled'],
  'no renegotiation': [100, 'No renegotiation is allowed'],
  'missing extension': [109, 'An extension was expected but was not seen'],
  'unsupported extension': [110, 'An unsupported extension was sent'],
  'unrecognized name': [112, 'The server name sent was not recognized'],
  'certificate required': [116, 'Certificate is required'],
  'no application protocol': [120, 'No supported application protocol could be negotiated'],
};

/** What the next hop did, read from mailhop's own failure description. */
type Failure =
  | { kind: 'closed' | 'reset' | 'not-tls' | 'timeout' }
  | { kind: 'alert'; reason: string; alert: readonly [number, string] }
  | { kind: 'other' };

function failureOf(detail: string): Failure {
  if (/timed out/i.test(detail)) return { kind: 'timeout' };
  if (/socket disconnected before secure TLS connection|connection closed during the handshake/i.test(detail)) return { kind: 'closed' };
  if (/read ECONNRESET/.test(detail)) return { kind: 'reset' };
  const reason = /\(([^()]+)\)\s*$/.exec(detail)?.[1];
  if (reason === 'wrong version number') return { kind: 'not-tls' };
  const alert = reason && /^(?:sslv3|tlsv1|tlsv13) (?:alert )?(.+)$/.exec(reason);
  if (reason && alert && ALERTS[alert[1]]) return { kind: 'alert', reason, alert: ALERTS[alert[1]] };
  return { kind: 'other' };
}

/**
 * The message Exim 4.96 built on GnuTLS puts after `TLS session: (gnutls_handshake): ` for the failure mailhop
 * described as `detail`, e.g. `The TLS connection was non-properly terminated.`; `detail` itself when mailhop
 * has not seen Exim meet that failure.
 */
export function gnutlsHandshakeError(detail: string): string {
  const failure = failureOf(detail);
  switch (failure.kind) {
    case 'timeout': return 'timed out';
    case 'closed': return 'The TLS connection was non-properly terminated.';
    case 'reset': return 'Error in the pull function.';
    case 'not-tls': return 'An unexpected TLS packet was received.';
    case 'alert': return failure.alert[1];
    default: return detail;
  }
}

/**
 * The reason OpenSMTPD 6.8 logs (`mta error reason=...`) when a TLS-required session fails in the handshake that
 * mailhop described as `detail`, e.g. `IO Error: error:0A00010B:SSL routines::wrong version number`; `detail`
 * itself when mailhop has not seen OpenSMTPD meet that failure.
 */
export function opensmtpdHandshakeError(detail: string): string {
  const failure = failureOf(detail);
  const openssl = (code: number, reason: string) => `IO Error: error:0A${code.toString(16).toUpperCase().padStart(6, '0')}:SSL routines::${reason}`;
  switch (failure.kind) {
    case 'timeout': return 'Connection timeout';
    case 'closed': return openssl(0x126, 'unexpected eof while reading');
    case 'reset': return 'IO Error: No TLS error';
    case 'not-tls': return openssl(0x10b, 'wrong version number');
    case 'alert': return openssl(1000 + failure.alert[0], failure.reason);
    default: return detail;
  }
}
