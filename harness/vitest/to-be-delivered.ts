import type { MatcherState } from 'vitest';
import { failureMessage } from './failure-message.js';
import { judgedRunOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { firstLinkFailing, outcomePhrase, stopLink } from './message-facts.js';

/** `await expect(run).toBeDelivered()`: every message reached the final mailbox. */
export async function toBeDelivered(this: MatcherState, received: unknown): Promise<MatcherOutcome> {
  const run = await judgedRunOf(received, 'toBeDelivered');
  const messages = messagesOf(run, 'toBeDelivered');
  const delivered = messages.filter((m) => m.outcome === 'delivered');
  const off = messages.filter((m) => m.outcome !== 'delivered');
  return {
    pass: off.length === 0,
    message: () =>
      this.isNot
        ? failureMessage(
            `expected the messages of ${run.report.name} not to be delivered, but ${delivered.map((m) => `${m.messageId} was delivered (end to end: ${m.endToEnd})`).join(', ')}`,
            run,
            [],
          )
        : failureMessage(
            `expected every message of ${run.report.name} to be delivered, but ${off.map((m) => `${m.messageId} was ${outcomePhrase(m)}`).join('; ')}`,
            run,
            off.map((m) => ({ message: m, link: stopLink(m) ?? firstLinkFailing(m, (l) => l.verdict !== 'refused')?.link })),
          ),
  };
}
