import type { MatcherState } from 'vitest';
import type { LinkVerdictName } from '../scenario/schema.js';
import { failureMessage } from './failure-message.js';
import { judgedRunOf, linkIndexOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { verdictPhrase } from './message-facts.js';

/**
 * The shape every per-link matcher shares: it passes when every message's verdict on `link` is one
 * of `verdicts`, and its failure names the messages that were not (or, with `.not`, that were) and
 * quotes their sessions on that link.
 * @param wanted how the failure words the claim, e.g. `encrypted (tls or tls-verified)`; `.not` uses `short`.
 */
export async function linkMatcher(
  state: MatcherState,
  matcher: string,
  received: unknown,
  link: string,
  verdicts: readonly LinkVerdictName[],
  wanted: { short: string; long: string },
): Promise<MatcherOutcome> {
  const run = await judgedRunOf(received, matcher);
  const i = linkIndexOf(run, link, matcher);
  const messages = messagesOf(run, matcher);
  const matching = messages.filter((m) => verdicts.includes(m.links[i].verdict));
  const off = messages.filter((m) => !matching.includes(m));
  const shown = state.isNot ? matching : off;
  const said = shown.map((m) => `${m.messageId} was ${verdictPhrase(m.links[i])}`).join(', ');
  return {
    pass: off.length === 0,
    message: () =>
      failureMessage(
        state.isNot ? `expected ${link} not to be ${wanted.short}, but ${said} there` : `expected ${link} to be ${wanted.long}, but ${said} there`,
        run,
        shown.map((m) => ({ message: m, link })),
      ),
  };
}
