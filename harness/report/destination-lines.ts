/**
 * Text lines for the copies of a message that a hop routing by MX split per recipient domain: each copy's outcome
 * and end-to-end verdict, and where a copy not delivered stopped. Pure: report in, lines out.
 */
import pc from 'picocolors';
import type { MessageReport } from '../verdict/judge-message.js';

/** One line per copy, e.g. `m1 → partner.test: delivered · encrypted`, then its stop when it has one. */
export function destinationLines(m: MessageReport, colour: (verdict: string) => string): string[] {
  return (m.destinations ?? []).flatMap((d) => [
    `    ${m.messageId} → ${d.destination}: ${d.outcome} · ${colour(d.endToEnd)}`,
    ...(d.stoppedAt ? [pc.dim(`      stopped at ${d.stoppedAt.hop}: ${d.stoppedAt.reply.text}`)] : []),
  ]);
}
