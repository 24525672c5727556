/**
 * Text lines for the copies of a message that a hop routing by MX split per recipient domain: each copy's outcome
 * and end-to-end verdict, and where a copy not delivered stopped. Pure: report in, lines out.
 */
import pc from 'picocolors';
import type { MessageReport } from '../verdict/judge-message.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { linkPolicyWords } from './dns-words.js';

/**
 * One line per copy, e.g. `m1 → partner.test: delivered · encrypted`, then the policy that decided each of its links
 * past the router (copies to different domains may share an MX host under different policies), then its stop.
 */
export function destinationLines(m: MessageReport, colour: (verdict: string) => string): string[] {
  return (m.destinations ?? []).flatMap((d) => [
    `    ${m.messageId} → ${d.destination}: ${d.outcome} · ${colour(d.endToEnd)}`,
    ...d.links.flatMap((l) => {
      const words = l.verdict === 'none' ? undefined : linkPolicyWords(l);
      return words ? [`      policy ${words}`] : [];
    }),
    ...(d.stoppedAt ? [pc.dim(`      stopped at ${d.stoppedAt.hop}: ${d.stoppedAt.reply.text}`)] : []),
  ]);
}

/**
 * Why a run's headline says `mixed`, when the copies of a split message fared differently: each such message's copies,
 * e.g. `m1 → partner.test delivered · encrypted, other.test bounced · held` (at most three messages, then a count).
 * Undefined when no message's copies differ (`mixed` then means the messages differ).
 */
export function mixedCopiesWords(report: ScenarioReport): string | undefined {
  const mixed = report.messages.filter((m) => m.destinations && (m.outcome === 'mixed' || m.endToEnd === 'mixed'));
  if (mixed.length === 0) return undefined;
  const words = mixed.slice(0, 3).map((m) => `${m.messageId} → ${m.destinations!.map((d) => `${d.destination} ${d.outcome} · ${d.endToEnd}`).join(', ')}`);
  return `copies differ: ${words.join('; ')}${mixed.length > 3 ? `; and ${mixed.length - 3} more messages` : ''}`;
}
