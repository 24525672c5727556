import { expect } from 'vitest';
import { chainTest } from '../../harness/vitest/index.js';

const test = chainTest('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml');

test('a strict preserve-inbound gateway does not upgrade plaintext mail', async ({ chain }) => {
  await chain.run();
  await expect(chain).toBeDelivered();
  await expect(chain).toBeEncryptedOn('client->sendmail');
  // The gateway chose not to try STARTTLS (plaintext in, strict preserve-inbound): plain, not downgraded.
  await expect(chain).toHaveVerdict('gateway->mailbox', 'plain');
  await expect(chain).not.toDowngradeAt('gateway->mailbox');
  await expect(chain).not.toHoldTlsEndToEnd();
});

const held = chainTest('scenarios/mandatory-to-hop-without-starttls-held.yaml');

held('a mandatory relay holds the message rather than send it in clear', async ({ chain }) => {
  await chain.run();
  await expect(chain).toBeHeldNeverInClear();
});
