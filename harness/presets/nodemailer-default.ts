import type { MtaPreset } from './mta-preset.js';

/**
 * nodemailer's SMTP client with `secure: false` and no TLS options [NM-conn][NM-doc][EXP] (docs/behaviour.md#B-nodemailer):
 * - 454 to STARTTLS: error `ETLS Error upgrading connection with STARTTLS: <reply>`; no plaintext.
 * - Failed handshake: error ESOCKET (`Client network socket disconnected before secure TLS connection was
 *   established`); nodemailer has no plaintext retry.
 * - STARTTLS not advertised: plaintext.
 * nodemailer has no queue: mailhop defers, and the retries stand for the caller sending again.
 */
export const nodemailerDefault: MtaPreset = {
  name: 'nodemailer-default',
  product: 'nodemailer SMTP transport, secure: false (defaults)',
  inbound: { received: 'mailhop' },
  outbound: { tls: 'opportunistic', fallback: 'never', starttlsRejected: 'defer', replies: 'nodemailer' },
  sources: ['[NM-conn]', '[NM-doc]', '[EXP]'],
  note:
    'Not modelled: nodemailer checks certificates by default (rejectUnauthorized), mailhop\'s opportunistic client ' +
    'accepts any. smtp-server writes no Received header, so the hop keeps mailhop\'s.',
};
