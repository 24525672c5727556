import type { MatcherState } from 'vitest';
import type { OutcomeName } from '../scenario/schema.js';
import { OUTCOME_MEANING } from '../report/verdict-words.js';
import { failureMessage } from './failure-message.js';
import { judgedRunOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { outcomePhrase, stopLink } from './message-facts.js';
import { MailhopError } from '../errors.js';

/**
 * The shape of toBeDeferredAt and toBeBouncedAt: every message has `outcome` and stopped at `hop`
 * (the hop still holding it, or the one that gave up and sent the DSN). Failures quote the session
 * on the link leaving the hop where each off message stopped.
 */
async function stoppedAt(state: MatcherState, matcher: string, received: unknown, hop: string, outcome: Extract<OutcomeName, 'deferred' | 'bounced'>): Promise<MatcherOutcome> {
  const run = await judgedRunOf(received, matcher);
  const hops = [...new Set(run.report.links.flatMap((l) => [l.from, l.to]))].filter((h) => h !== 'client');
  if (!hops.includes(hop)) {
    throw MailhopError.of('EUSAGE', { where: matcher, what: `judge hop ${hop}`, why: `scenario ${run.report.name} has no such hop; its hops are ${hops.join(', ')}`, hop });
  }
  const messages = messagesOf(run, matcher);
  const there = messages.filter((m) => m.outcome === outcome && m.stoppedAt?.hop === hop);
  const off = messages.filter((m) => !there.includes(m));
  const shown = state.isNot ? there : off;
  const said = shown.map((m) => `${m.messageId} was ${outcomePhrase(m)}`).join('; ');
  return {
    pass: off.length === 0,
    message: () =>
      failureMessage(
        state.isNot
          ? `expected the messages of ${run.report.name} not to be ${outcome} at ${hop}, but ${said}`
          : `expected every message of ${run.report.name} to be ${outcome} at ${hop} (${OUTCOME_MEANING[outcome]}), but ${said}`,
        run,
        shown.map((m) => ({ message: m, link: stopLink(m) ?? m.links.find((l) => l.link.startsWith(`${hop}->`))?.link })),
      ),
  };
}

/**
 * `await expect(run).toBeDeferredAt('relay')`: every message is still queued at `relay` when the run
 * ended (outcome `deferred`), e.g. a mandatory relay facing a hop without STARTTLS.
 * @throws MailhopError `EUSAGE` (through the matcher) when the scenario has no such hop.
 */
export function toBeDeferredAt(this: MatcherState, received: unknown, hop: string): Promise<MatcherOutcome> {
  return stoppedAt(this, 'toBeDeferredAt', received, hop, 'deferred');
}

/**
 * `await expect(run).toBeBouncedAt('relay')`: `relay` gave every message up (a 5xx reply or its queue
 * lifetime) and sent a DSN to the envelope sender (outcome `bounced`).
 */
export function toBeBouncedAt(this: MatcherState, received: unknown, hop: string): Promise<MatcherOutcome> {
  return stoppedAt(this, 'toBeBouncedAt', received, hop, 'bounced');
}
