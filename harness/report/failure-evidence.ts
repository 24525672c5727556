/**
 * The SMTP evidence behind a failed scenario, for reports that show it beside the verdict table
 * (`mailhop run --verbose`, the JUnit `<failure>` text): for each failed link claim, the first
 * message whose verdict on that link differs, with its sessions and transcript; for a failed
 * outcome or end-to-end claim, the first link of the first off message that was not TLS.
 * Pure: a report and its trace in, lines out; judges nothing.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import { ENCRYPTED_LINK_VERDICTS, LINK_VERDICT_MEANING } from './verdict-words.js';
import { linkEvidence } from './link-evidence.js';

/** Links quoted per scenario; more would bury the first cause under repeats. */
const MAX_LINKS = 2;

/** A `[messageId, link]` pair worth quoting for a failed claim, or undefined when none applies. */
function culpritFor(report: ScenarioReport, key: string, expected: string, messageId?: string): [string, string] | undefined {
  const candidates = messageId ? report.messages.filter((msg) => msg.messageId === messageId) : report.messages;
  if (key.includes('->')) {
    const m = candidates.find((msg) => msg.links.find((l) => l.link === key)?.verdict !== expected);
    return m ? [m.messageId, key] : undefined;
  }
  const field = key === 'outcome' ? 'outcome' : 'endToEnd';
  const m = candidates.find((msg) => msg[field] !== expected);
  const link = m?.links.find((l) => l.verdict !== 'none' && !ENCRYPTED_LINK_VERDICTS.includes(l.verdict));
  return m && link ? [m.messageId, link.link] : undefined;
}

/**
 * Lines telling why `report` failed, on the wire: per quoted link a headline
 * (`m1 on gateway->mailbox: plain (…)`) and the `linkEvidence` lines (session summaries, the deciding
 * attempt's transcript, the wire's account), indented by `indent`. Empty for a passed or skipped
 * scenario, or when the trace holds no session for the culprit (a real engine sent on that link).
 */
export function failureEvidence(report: ScenarioReport, events: readonly TraceEvent[], indent = '    '): string[] {
  if (report.passed || report.skipped) return [];
  const out: string[] = [];
  const quoted = new Set<string>();
  for (const e of report.expectations.filter((x) => !x.held)) {
    const culprit = culpritFor(report, e.key, e.expected, e.messageId);
    if (!culprit || quoted.has(culprit.join(' ')) || quoted.size >= MAX_LINKS) continue;
    quoted.add(culprit.join(' '));
    const [messageId, link] = culprit;
    const verdict = report.messages.find((m) => m.messageId === messageId)?.links.find((l) => l.link === link);
    if (verdict) out.push(`${indent}${messageId} on ${link}: ${verdict.verdict} (${LINK_VERDICT_MEANING[verdict.verdict]})`);
    out.push(...linkEvidence(events, link, messageId, { indent: `${indent}  ` }));
  }
  return out;
}
