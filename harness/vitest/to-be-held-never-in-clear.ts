import type { MatcherState } from 'vitest';
import { failureMessage } from './failure-message.js';
import { judgedRunOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { firstLinkFailing, outcomePhrase, stopLink } from './message-facts.js';

/**
 * `await expect(run).toBeHeldNeverInClear()`: no message was delivered and none crossed any link in
 * clear (end to end `held`, RFC 7435's "no misrepresentation" seen from the sender's side).
 */
export async function toBeHeldNeverInClear(this: MatcherState, received: unknown): Promise<MatcherOutcome> {
  const run = await judgedRunOf(received, 'toBeHeldNeverInClear');
  const messages = messagesOf(run, 'toBeHeldNeverInClear');
  const held = messages.filter((m) => m.endToEnd === 'held');
  const off = messages.filter((m) => m.endToEnd !== 'held');
  const inClear = (m: (typeof messages)[number]) => firstLinkFailing(m, (l) => !l.crossedInClear)?.link;
  return {
    pass: off.length === 0,
    message: () =>
      this.isNot
        ? failureMessage(
            `expected the messages of ${run.report.name} not to be held, but ${held.map((m) => `${m.messageId} was held, never in clear (${outcomePhrase(m)})`).join('; ')}`,
            run,
            held.map((m) => ({ message: m, link: stopLink(m) })),
          )
        : failureMessage(
            `expected every message of ${run.report.name} to be held without ever crossing a link in clear, but ${off
              .map((m) => {
                const link = inClear(m);
                return `${m.messageId} was ${outcomePhrase(m)}${link ? ` and crossed ${link} in clear` : ''} (end to end: ${m.endToEnd})`;
              })
              .join('; ')}`,
            run,
            off.map((m) => ({ message: m, link: inClear(m) ?? m.links.at(-1)?.link })),
          ),
  };
}
