import type { MatcherState } from 'vitest';
import type { EndToEndName, OutcomeName } from '../scenario/schema.js';
import type { MessageReport } from '../verdict/judge-scenario.js';
import { END_TO_END_MEANING, OUTCOME_MEANING } from '../report/verdict-words.js';
import { MailhopError } from '../errors.js';
import { failureMessage, type Culprit } from './failure-message.js';
import { judgedRunOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { firstLinkFailing, outcomePhrase } from './message-facts.js';

/** What `toHaveCopyTo` claims of a copy: its outcome, its end-to-end verdict, or both. */
export interface CopyClaim {
  outcome?: OutcomeName;
  endToEnd?: EndToEndName;
}

/** The copy of `m` to `domain`, as a message report of its own (its links, outcome and stop), or undefined. */
function copyOf(m: MessageReport, domain: string): MessageReport | undefined {
  const d = m.destinations?.find((c) => c.destination === domain);
  if (!d) return undefined;
  const { stoppedAt: _whole, ...rest } = m;
  return { ...rest, outcome: d.outcome, endToEnd: d.endToEnd, links: d.links, ...(d.stoppedAt ? { stoppedAt: d.stoppedAt } : {}) };
}

/** `delivered · encrypted` for the claimed fields only. */
function claimWords(claim: CopyClaim): string {
  return [claim.outcome, claim.endToEnd].filter((x) => x !== undefined).join(' · ');
}

/**
 * `await expect(run).toHaveCopyTo('partner.test', { outcome: 'delivered', endToEnd: 'encrypted' })`: in every message,
 * the copy a hop routing by MX split off for recipient domain `domain` (RFC 5321 §5.1; `messages[].destinations` in
 * the report) has the claimed outcome and end-to-end verdict. A message without a copy to `domain` fails the claim,
 * naming the domains it has. With `forMessages(run, 'm1')` it claims one message's copy. The failure message quotes
 * the copy's own link verdicts and the SMTP transcript behind them.
 * @throws MailhopError `EUSAGE` (through the matcher) when the claim names neither an outcome nor an end-to-end
 *   verdict, or a name that is not one.
 */
export async function toHaveCopyTo(this: MatcherState, received: unknown, domain: string, claim: CopyClaim): Promise<MatcherOutcome> {
  const bad = !claim || (claim.outcome === undefined && claim.endToEnd === undefined)
    ? 'it claims neither an outcome nor an end-to-end verdict'
    : claim.outcome !== undefined && !Object.hasOwn(OUTCOME_MEANING, claim.outcome)
      ? `outcome ${JSON.stringify(claim.outcome)} is not one of ${Object.keys(OUTCOME_MEANING).join(', ')}`
      : claim.endToEnd !== undefined && !Object.hasOwn(END_TO_END_MEANING, claim.endToEnd)
        ? `endToEnd ${JSON.stringify(claim.endToEnd)} is not one of ${Object.keys(END_TO_END_MEANING).join(', ')}`
        : undefined;
  if (bad) throw MailhopError.of('EUSAGE', { where: 'toHaveCopyTo', what: `judge the copy to ${domain} by ${JSON.stringify(claim)}`, why: bad });
  const run = await judgedRunOf(received, 'toHaveCopyTo');
  const messages = messagesOf(run, 'toHaveCopyTo');
  const holds = (c: MessageReport) => (claim.outcome === undefined || c.outcome === claim.outcome) && (claim.endToEnd === undefined || c.endToEnd === claim.endToEnd);
  const copies = messages.map((m) => ({ m, copy: copyOf(m, domain) }));
  const off = copies.filter(({ copy }) => !copy || !holds(copy));
  const said = ({ m, copy }: (typeof copies)[number]) =>
    copy
      ? `${m.messageId}'s copy to ${domain} was ${outcomePhrase(copy)} · ${copy.endToEnd}`
      : `${m.messageId} has no copy to ${domain} (${m.destinations?.length ? `its copies went to ${m.destinations.map((d) => d.destination).join(', ')}` : 'it was not split per destination'})`;
  const culprits: Culprit[] = off.flatMap(({ copy }) => (copy ? [{ message: copy, link: firstLinkFailing(copy, (l) => l.verdict === 'tls' || l.verdict === 'tls-verified')?.link }] : []));
  return {
    pass: off.length === 0,
    message: () =>
      this.isNot
        ? failureMessage(`expected no copy to ${domain} in ${run.report.name} to be ${claimWords(claim)}, but ${copies.map(said).join('; ')}`, run, [])
        : failureMessage(`expected every message's copy to ${domain} in ${run.report.name} to be ${claimWords(claim)}, but ${off.map(said).join('; ')}`, run, culprits),
  };
}
