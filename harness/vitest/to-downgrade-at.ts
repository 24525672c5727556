import type { MatcherState } from 'vitest';
import { linkMatcher } from './link-matcher.js';
import type { MatcherOutcome } from './judged-run.js';

/**
 * `await expect(run).toDowngradeAt('gateway->mailbox')`: every message crossed the link `downgraded`
 * (in plaintext although STARTTLS was tried; `plain`, where the sender never tried it, does not count).
 */
export function toDowngradeAt(this: MatcherState, received: unknown, link: string): Promise<MatcherOutcome> {
  return linkMatcher(this, 'toDowngradeAt', received, link, ['downgraded'], {
    short: 'downgraded',
    long: 'downgraded (plaintext although STARTTLS was tried)',
  });
}
