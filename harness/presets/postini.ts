import type { MtaPreset } from './mta-preset.js';

/**
 * Postini / Google Message Security "Send and Deliver TLS" [POSTINI]: a message that arrived over TLS must leave
 * over TLS (deferred otherwise, wire text `451 Recipient does not support STARTTLS - psmtp`); one that arrived in
 * clear leaves in clear (docs/behaviour.md#B-preserve-mandatory).
 */
export const postini: MtaPreset = {
  name: 'postini',
  product: 'Postini (Google Message Security), Send and Deliver TLS',
  inbound: { received: 'mailhop' },
  outbound: { tls: 'preserve-inbound', preserve: 'mandatory', replies: 'postini' },
  sources: ['[POSTINI]'],
  assumed: ['tls'],
  note:
    'The psmtp text is documented for a recipient without STARTTLS; mailhop also uses it for a refused STARTTLS and ' +
    'a failed handshake. No Postini Received format is in the stored sources, so the hop keeps mailhop\'s.',
};
