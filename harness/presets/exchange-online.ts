import type { MtaPreset } from './mta-preset.js';

/**
 * Exchange Online: opportunistic TLS by default, plaintext when the peer offers none [MS-TLS]. Received:
 * `with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_...) id 15.20.x`, without the ESMTPS keyword
 * (docs/behaviour.md#R-exchange).
 */
export const exchangeOnline: MtaPreset = {
  name: 'exchange-online',
  product: 'Microsoft Exchange Online, default connectors',
  inbound: { received: 'exchange' },
  outbound: { tls: 'opportunistic' },
  sources: ['[MS-TLS]', 'docs/behaviour.md#R-exchange'],
  assumed: ['fallback', 'on454', 'tls'],
  note: 'Behaviour after a 454 or a failed handshake is undocumented (docs/behaviour.md#B-exchange): mailhop\'s defaults.',
};
