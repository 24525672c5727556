import type { MatcherState } from 'vitest';
import type { LinkVerdictName } from '../scenario/schema.js';
import { LINK_VERDICT_MEANING } from '../report/verdict-words.js';
import { linkMatcher } from './link-matcher.js';
import type { MatcherOutcome } from './judged-run.js';
import { MailhopError } from '../errors.js';

/**
 * `await expect(run).toHaveVerdict('gateway->mailbox', 'plain')`: every message's verdict on the
 * link is exactly `verdict`, one of the seven link verdicts (`tls-verified`, `tls`, `downgraded`,
 * `stripped`, `plain`, `refused`, `none`; the README's verdict table). The failure message quotes
 * each off message's sessions and transcript on that link, as the other link matchers do.
 * @throws MailhopError `EUSAGE` (through the matcher) when `verdict` is not a link verdict name.
 */
export function toHaveVerdict(this: MatcherState, received: unknown, link: string, verdict: LinkVerdictName): Promise<MatcherOutcome> {
  if (!Object.hasOwn(LINK_VERDICT_MEANING, verdict)) {
    const why = `it is not a link verdict; expected one of ${Object.keys(LINK_VERDICT_MEANING).join(', ')}`;
    return Promise.reject(MailhopError.of('EUSAGE', { where: 'toHaveVerdict', what: `judge by ${JSON.stringify(String(verdict))}`, why }));
  }
  return linkMatcher(this, 'toHaveVerdict', received, link, [verdict], {
    short: verdict,
    long: `${verdict} (${LINK_VERDICT_MEANING[verdict]})`,
  });
}
