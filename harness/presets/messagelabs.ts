import type { MtaPreset } from './mta-preset.js';

/**
 * Symantec/Broadcom Email Security.cloud (MessageLabs), documented default [BC-174326][BC-162447]: a message that
 * arrived over TLS goes out with opportunistic TLS; one that arrived in clear goes out in clear, STARTTLS not even
 * tried. The service "accepts any TLS Certificate including Self-signed" [BC-221535].
 * Received: `from [ip] (using TLSv1.2 with cipher ... (256 bits)) by server-N.bemta-M.messagelabs.com id ...`,
 * no `with` clause at all (docs/behaviour.md#R-messagelabs).
 */
export const messagelabs: MtaPreset = {
  name: 'messagelabs',
  product: 'Broadcom Email Security.cloud (MessageLabs), preserve inbound TLS',
  inbound: { received: 'messagelabs' },
  outbound: { tls: 'preserve-inbound', preserve: 'strict' },
  sources: ['[BC-174326]', '[BC-162447]', '[BC-221535]'],
  assumed: ['fallback', 'on454', 'tls'],
  note:
    'KB 221535 contradicts 174326 (TLS tried whatever happened inbound): write outbound: { preserve: always-try }. ' +
    'What the service does after a 454 or a failed handshake is not documented.',
};
