import type { MatcherState } from 'vitest';
import { failureMessage } from './failure-message.js';
import { judgedRunOf, linkIndexOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { verdictPhrase } from './message-facts.js';

/**
 * `await expect(run).toDowngradeAt('gateway->mailbox')`: every message crossed the link `downgraded`
 * (in plaintext although STARTTLS was advertised or tried; `plain`, where STARTTLS never came up, does not count).
 */
export async function toDowngradeAt(this: MatcherState, received: unknown, link: string): Promise<MatcherOutcome> {
  const run = await judgedRunOf(received, 'toDowngradeAt');
  const i = linkIndexOf(run, link, 'toDowngradeAt');
  const messages = messagesOf(run, 'toDowngradeAt');
  const downgraded = messages.filter((m) => m.links[i].verdict === 'downgraded');
  const off = messages.filter((m) => !downgraded.includes(m));
  const shown = this.isNot ? downgraded : off;
  const said = shown.map((m) => `${m.messageId} was ${verdictPhrase(m.links[i])}`).join(', ');
  return {
    pass: off.length === 0,
    message: () =>
      failureMessage(
        this.isNot
          ? `expected ${link} not to be downgraded, but ${said} there`
          : `expected ${link} to be downgraded (plaintext although STARTTLS was advertised or tried), but ${said} there`,
        run,
        shown.map((m) => ({ message: m, link })),
      ),
  };
}
