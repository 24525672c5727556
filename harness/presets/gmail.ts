import type { MtaPreset } from './mta-preset.js';

/**
 * Gmail / Google Workspace without "TLS compliance": opportunistic, plaintext when the peer offers no TLS
 * [GWS-TLS]. Received: `by mx.google.com with ESMTPS id ... (version=TLS1_3 cipher=... bits=256/256)`.
 */
export const gmail: MtaPreset = {
  name: 'gmail',
  product: 'Gmail / Google Workspace, default outbound',
  inbound: { received: 'gmail' },
  outbound: { tls: 'opportunistic' },
  sources: ['[GWS-TLS]', 'docs/behaviour.md#R-gmail'],
  assumed: ['fallback', 'on454', 'tls'],
  note:
    'Behaviour after a 454 or a failed handshake is undocumented (docs/behaviour.md#B-gmail): mailhop\'s defaults. ' +
    'TLS compliance (bounce after one attempt) is not modelled.',
};
