import type { MatcherState } from 'vitest';
import { ENCRYPTED_LINK_VERDICTS } from '../report/verdict-words.js';
import { linkMatcher } from './link-matcher.js';
import type { MatcherOutcome } from './judged-run.js';

/** `await expect(run).toBeEncryptedOn('gateway->mailbox')`: every message crossed the link as `tls` or `tls-verified`. */
export function toBeEncryptedOn(this: MatcherState, received: unknown, link: string): Promise<MatcherOutcome> {
  return linkMatcher(this, 'toBeEncryptedOn', received, link, ENCRYPTED_LINK_VERDICTS, {
    short: 'encrypted',
    long: 'encrypted (tls or tls-verified)',
  });
}
