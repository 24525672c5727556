import type { MatcherState } from 'vitest';
import { ENCRYPTED_LINK_VERDICTS } from '../report/verdict-words.js';
import { failureMessage } from './failure-message.js';
import { judgedRunOf, linkIndexOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { verdictPhrase } from './message-facts.js';

/** `await expect(run).toBeEncryptedOn('gateway->mailbox')`: every message crossed the link as `tls` or `tls-verified`. */
export async function toBeEncryptedOn(this: MatcherState, received: unknown, link: string): Promise<MatcherOutcome> {
  const run = await judgedRunOf(received, 'toBeEncryptedOn');
  const i = linkIndexOf(run, link, 'toBeEncryptedOn');
  const messages = messagesOf(run, 'toBeEncryptedOn');
  const encrypted = messages.filter((m) => ENCRYPTED_LINK_VERDICTS.includes(m.links[i].verdict));
  const off = messages.filter((m) => !encrypted.includes(m));
  const shown = this.isNot ? encrypted : off;
  const said = shown.map((m) => `${m.messageId} was ${verdictPhrase(m.links[i])}`).join(', ');
  return {
    pass: off.length === 0,
    message: () =>
      failureMessage(
        this.isNot
          ? `expected ${link} not to be encrypted, but ${said} there`
          : `expected ${link} to be encrypted (tls or tls-verified), but ${said} there`,
        run,
        shown.map((m) => ({ message: m, link })),
      ),
  };
}
