import type { MtaPreset } from './mta-preset.js';

/**
 * Exchange Online: opportunistic TLS by default, plaintext when the peer offers none [MS-TLS]. Received:
 * `with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_...) id 15.20.x`, without the ESMTPS keyword
 * (tls-behaviour.md §4.1).
 */
export const exchangeOnline: MtaPreset = {
  name: 'exchange-online',
  product: 'Microsoft Exchange Online, default connectors',
  inbound: { received: 'exchange' },
  outbound: { tls: 'opportunistic' },
  sources: ['[MS-TLS]', 'tls-behaviour.md §4.1'],
  assumed: ['fallback', 'on454'],
  note: 'Behaviour after a 454 or a failed handshake is undocumented (tls-behaviour.md §9): mailhop\'s defaults.',
};
