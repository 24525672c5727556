import type { MtaPreset } from './mta-preset.js';

/**
 * nodemailer with `opportunisticTLS: true` [NM-conn]: a 4xx/5xx to STARTTLS is logged as "Failed STARTTLS
 * upgrade, continuing unencrypted" and the session goes on in plaintext; a failed handshake is still an error
 * (ESOCKET), never retried in plaintext.
 */
export const nodemailerOpportunistic: MtaPreset = {
  name: 'nodemailer-opportunistic',
  product: 'nodemailer SMTP transport, opportunisticTLS: true',
  inbound: { received: 'mailhop' },
  outbound: { tls: 'opportunistic', fallback: 'never', starttlsRejected: 'continue', replies: 'nodemailer' },
  sources: ['[NM-conn]', '[EXP]'],
  note: 'As nodemailer-default: certificate checks and the lack of a queue are not modelled.',
};
