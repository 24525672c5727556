/**
 * Text lines for the copies of a message that a hop routing by MX split per recipient domain: each copy's outcome
 * and end-to-end verdict, and where a copy not delivered stopped. Pure: report in, lines out.
 */
import pc from 'picocolors';
import type { MessageReport } from '../verdict/judge-message.js';
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
