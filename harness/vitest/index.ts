/**
 * `mailhop/vitest`: mailhop's matchers and the chain fixture for vitest. Importing this module
 * registers the matchers with `expect.extend` and brings their types (jest-dom's `./vitest` entry
 * does the same); use it from a test file or from `setupFiles`.
 *
 * @example
 * import { chainTest } from 'mailhop/vitest';
 * const test = chainTest('scenarios/messagelabs-preserves-inbound-tls.yaml');
 * test('the gateway keeps TLS', async ({ chain }) => {
 *   await chain.run();
 *   await expect(chain).toHoldTlsEndToEnd();
 * });
 */
import { expect } from 'vitest';
import { toHoldTlsEndToEnd } from './to-hold-tls-end-to-end.js';
import { toBeEncryptedOn } from './to-be-encrypted-on.js';
import { toDowngradeAt } from './to-downgrade-at.js';
import { toBeDelivered } from './to-be-delivered.js';
import { toBeHeldNeverInClear } from './to-be-held-never-in-clear.js';
import { toHaveVerdict } from './to-have-verdict.js';
import { toBeBouncedAt, toBeDeferredAt } from './to-be-stopped-at.js';
import { toBeBelievedOn } from './to-be-believed-on.js';
import { toHaveCopyTo } from './to-have-copy-to.js';

/** The matchers, for `expect.extend(mailhopMatchers)` with another `expect`. */
export const mailhopMatchers = {
  toHoldTlsEndToEnd,
  toBeEncryptedOn,
  toDowngradeAt,
  toHaveVerdict,
  toBeDelivered,
  toBeHeldNeverInClear,
  toBeDeferredAt,
  toBeBouncedAt,
  toBeBelievedOn,
  toHaveCopyTo,
};

// vitest types expect.extend's argument against Matchers<MatcherState>, whose argument lists here
// are only open to a ScenarioReport or StartedChain; the functions take the received value as `unknown`.
expect.extend(mailhopMatchers as unknown as Parameters<typeof expect.extend>[0]);

export type { MailhopMatchers, MailhopRun, LinkName, HoldTlsOptions } from './mailhop-matchers.js';
export type { CopyClaim } from './to-have-copy-to.js';
export { chainTest, type ChainFixtures, type ScenarioSource } from './chain-test.js';
export { forMessages, type MessageSelection } from './message-selection.js';
