import type { MtaPreset } from './mta-preset.js';

/**
 * sendmail 8.x defaults: STARTTLS whenever offered, any certificate [SM-cf][SM-op].
 * - 454 to STARTTLS: plaintext in the same session (`{verify}=TEMP` passes tls_server without an access map;
 *   observed, real-mtas.md §1).
 * - Failed handshake: `403 4.7.0 TLS handshake failed.` (cf/m4/proto.m4 TLS_connection, `{verify}=SOFTWARE`),
 *   connection dropped, message queued; every queue run tries STARTTLS again, so it never goes plaintext
 *   unless TLSFallbacktoClear is set [SM-op][SM-deliver] (observed, real-mtas.md §1).
 * - Received: `(version=... cipher=... bits=... verify=NO)` as observed (real-mtas.md §4).
 */
export const sendmail: MtaPreset = {
  name: 'sendmail',
  product: 'sendmail 8.x, default (no TLSFallbacktoClear)',
  inbound: { received: 'sendmail' },
  outbound: { tls: 'opportunistic', fallback: 'never', starttlsRejected: 'continue', replies: 'sendmail' },
  sources: ['[SM-cf]', '[SM-op]', '[SM-deliver]', '[SM-cfhead]', 'real-mtas.md §1 §4 §5.2'],
  note:
    'Observed header says verify=NO (sendmail asks for a client certificate, none is given), not the catalogue\'s ' +
    'verify=NOT. Retries follow the hop\'s retry schedule (sendmail: each queue run, -q interval).',
};
