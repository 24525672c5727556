import type { MtaPreset } from './mta-preset.js';

/**
 * MessageLabs with Boundary Encryption (enforced TLS to partner domains) [BC-162447]: mail to a listed domain is
 * delivered over TLS or not at all, whatever the inbound leg did; other mail as `messagelabs`. Any certificate
 * is accepted by default, so enforcement means `mandatory`, not `verify`. The partner list is the hop's own
 * `outbound.enforce`.
 */
export const messagelabsBoundary: MtaPreset = {
  name: 'messagelabs-boundary',
  product: 'MessageLabs with Boundary Encryption to the domains in outbound.enforce',
  inbound: { received: 'messagelabs' },
  outbound: { tls: 'preserve-inbound', preserve: 'strict' },
  sources: ['[BC-162447]', '[BC-174326]', '[BC-221535]'],
  assumed: ['fallback', 'on454', 'tls'],
  note: 'Deferral texts of an enforced domain are not documented; mailhop\'s own are used.',
  needs: 'outbound.enforce',
  check: (hop) =>
    hop.outbound.tls === 'preserve-inbound' && hop.outbound.enforce.length === 0
      ? 'preset messagelabs-boundary needs the partner domains in the hop\'s outbound.enforce, e.g. outbound: { enforce: [partner.test] }'
      : undefined,
};
