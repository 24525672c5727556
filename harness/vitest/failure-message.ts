/**
 * The text of a matcher's failure message: a headline (`expected …, but …`) and, for the messages
 * that contradict it, the link they were judged on with its attempts and the SMTP transcript lines
 * behind the verdict. Renders the report and the trace; judges nothing.
 */
import type { MessageReport } from '../verdict/judge-scenario.js';
import { linkEvidence } from '../report/link-evidence.js';
import { LINK_VERDICT_MEANING } from '../report/verdict-words.js';
import type { JudgedRun } from './judged-run.js';

/** A message that contradicts the claim, and the link that shows why (when one does). */
export interface Culprit {
  message: MessageReport;
  link?: string;
}

/** How many contradicting messages get their evidence printed; the rest are only named. */
const SHOWN = 2;

/** `m1`, `m1 and m2`, `m1, m2 and m3`. */
export function listIds(messages: readonly MessageReport[]): string {
  const ids = messages.map((m) => m.messageId);
  return ids.length <= 1 ? (ids[0] ?? '') : `${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}`;
}

function evidenceOf(run: JudgedRun, culprit: Culprit): string[] {
  const { message, link } = culprit;
  if (!link) return [];
  const verdict = message.links.find((l) => l.link === link);
  if (!verdict) return [];
  const out = [`${message.messageId} on ${link}: ${verdict.verdict} (${LINK_VERDICT_MEANING[verdict.verdict]})`];
  const seen = Object.entries(verdict.witnesses).map(([who, saw]) => `${who} saw ${saw}`);
  if (seen.length) out.push(`  witnesses: ${seen.join(', ')}`);
  if (verdict.disagreement) out.push(`  ⚠ ${verdict.disagreement}`);
  if (run.events) out.push(...linkEvidence(run.events, link, message.messageId));
  else {
    for (const note of verdict.notes) out.push(`  ${note}`);
    out.push('  (pass the StartedChain to expect() to see the SMTP transcript)');
  }
  return out;
}

/** The whole failure message. */
export function failureMessage(headline: string, run: JudgedRun, culprits: readonly Culprit[]): string {
  const blocks = [headline];
  for (const c of culprits.slice(0, SHOWN)) {
    const lines = evidenceOf(run, c);
    if (lines.length) blocks.push(lines.join('\n'));
  }
  if (culprits.length > SHOWN) blocks.push(`… and ${listIds(culprits.slice(SHOWN).map((c) => c.message))} alike`);
  return blocks.join('\n\n');
}
