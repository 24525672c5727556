import type { MatcherState } from 'vitest';
import { ENCRYPTED_END_TO_END, ENCRYPTED_LINK_VERDICTS } from '../report/verdict-words.js';
import type { EndToEndName, LinkVerdictName } from '../scenario/schema.js';
import { failureMessage } from './failure-message.js';
import { judgedRunOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { firstLinkFailing, outcomePhrase } from './message-facts.js';
import type { HoldTlsOptions } from './mailhop-matchers.js';

/**
 * `await expect(run).toHoldTlsEndToEnd({ verified? })`: every message's end-to-end verdict is
 * `encrypted` or `encrypted-verified` (only `encrypted-verified` with `verified: true`).
 */
export async function toHoldTlsEndToEnd(this: MatcherState, received: unknown, options: HoldTlsOptions = {}): Promise<MatcherOutcome> {
  const run = await judgedRunOf(received, 'toHoldTlsEndToEnd');
  const messages = messagesOf(run, 'toHoldTlsEndToEnd');
  const wanted: readonly EndToEndName[] = options.verified ? ['encrypted-verified'] : ENCRYPTED_END_TO_END;
  const linkOk: readonly LinkVerdictName[] = options.verified ? ['tls-verified'] : ENCRYPTED_LINK_VERDICTS;
  const claim = options.verified ? 'TLS with verified certificates' : 'TLS';
  const off = messages.filter((m) => !(wanted as readonly string[]).includes(m.endToEnd));
  const culprits = off.map((m) => ({ message: m, link: firstLinkFailing(m, (l) => linkOk.includes(l.verdict))?.link }));
  return {
    pass: off.length === 0,
    message: () =>
      this.isNot
        ? failureMessage(
            `expected ${claim} not to hold end to end in ${run.report.name}, but ${messages.map((m) => `${m.messageId} was ${m.endToEnd}`).join(', ')}`,
            run,
            [],
          )
        : failureMessage(
            `expected ${claim} to hold end to end in ${run.report.name}, but ${culprits
              .map(({ message: m, link }) => {
                const at = link ? `; first not ${linkOk.join(' or ')} on ${link}: ${m.links.find((l) => l.link === link)!.verdict}` : '';
                return `${m.messageId} was ${m.endToEnd} (${outcomePhrase(m)}${at})`;
              })
              .join('; ')}`,
            run,
            culprits,
          ),
  };
}
