/**
 * `mailhop explain`: the story of a run in plain language, for teaching. For each message and each
 * link: who sent it under which policy and why, what the receiver advertised, what STARTTLS and the
 * handshake did, fallbacks and deferrals, and the verdict with its meaning; then the end-to-end
 * verdict and the scenario's claims. Pure: scenario, report and trace in, text out; every verdict
 * quoted is the report's.
 */
import type { Scenario } from '../scenario/schema.js';
import type { MessageReport, ScenarioReport } from '../verdict/judge-scenario.js';
import type { SessionEvent, TraceEvent } from '../trace/events.js';
import { formatDuration } from '../scenario/duration.js';
import { sessionsOf } from './link-evidence.js';
import { policySentence, sessionSentences } from './explain-session.js';
import { END_TO_END_MEANING, LINK_VERDICT_MEANING, OUTCOME_MEANING } from './verdict-words.js';
import { escapeControls } from './terminal-safe.js';

/** Wraps text at `width` columns, every line starting with `indent`. */
export function wrap(text: string, indent = '', width = 100): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}

/** Virtual time as `+5m` (`+0` at the start). */
const at = (ms: number) => (ms ? `+${formatDuration(ms)}` : '+0');

/** Groups consecutive attempts whose story is the same, so seven identical deferrals read as one paragraph. */
function storyGroups(scenario: Scenario, events: readonly TraceEvent[], sessions: readonly SessionEvent[]) {
  const groups: Array<{ sessions: SessionEvent[]; story: string[]; same: string }> = [];
  for (const s of sessions) {
    const story = sessionSentences(scenario, events, s);
    // Retries differ only in when the next one is due; a group's heading gives the times instead.
    const same = story.join(' ').replace(/; next attempt at \+\S+ \(virtual time\)/, '');
    const last = groups.at(-1);
    if (last && s.connection === 1 && last.sessions.at(-1)!.connection === 1 && last.same === same) last.sessions.push(s);
    else groups.push({ sessions: [s], story, same });
  }
  return groups.map((g) => ({ sessions: g.sessions, story: g.sessions.length > 1 ? [g.same] : g.story }));
}

function linkStory(scenario: Scenario, events: readonly TraceEvent[], message: MessageReport, link: string, width: number): string[] {
  const verdict = message.links.find((l) => l.link === link)!;
  const [from, to] = link.split('->');
  const out = [`  ${from} → ${to}: ${verdict.verdict}`];
  const sessions = sessionsOf(events, link, message.messageId);
  if (sessions.length === 0) {
    const where = message.stoppedAt ? ` (it stopped at ${message.stoppedAt.hop})` : '';
    out.push(...wrap(`${message.messageId} never reached this link${where}.`, '    ', width));
    return out;
  }
  const paragraphs: string[] = [];
  let policyTold = '';
  for (const g of storyGroups(scenario, events, sessions)) {
    const first = g.sessions[0];
    const policy = policySentence(scenario, events, first);
    const head = g.sessions.length === 1
      ? `Attempt ${first.attempt}${first.connection > 1 ? `, connection ${first.connection}` : ''}${first.at ? ` (at ${at(first.at)})` : ''}:`
      : `Attempts ${first.attempt}–${g.sessions.at(-1)!.attempt} (at ${g.sessions.map((s) => at(s.at)).join(', ')}) went the same way:`;
    const story = [policy === policyTold ? '' : policy, ...g.story].filter(Boolean);
    policyTold = policy;
    paragraphs.push(sessions.length === 1 ? story.join(' ') : `${head} ${story.join(' ')}`);
  }
  for (const p of paragraphs) out.push(...wrap(p, '    ', width));
  if (verdict.disagreement) out.push(...wrap(`⚠ The witnesses disagree: ${verdict.disagreement}.`, '    ', width));
  if (verdict.leak) out.push(...wrap('LEAK: the content crossed in clear although the policy in force required TLS.', '    ', width));
  out.push(...wrap(`So: ${verdict.verdict}, ${LINK_VERDICT_MEANING[verdict.verdict]}.`, '    ', width));
  return out;
}

/**
 * The whole explanation of one run, wrapped at `width` columns (Infinity: one line per paragraph). Each line is
 * printed with its control characters escaped (a peer's reply quoted in a sentence: terminal-safe.ts).
 */
export function renderExplanation(scenario: Scenario, report: ScenarioReport, events: readonly TraceEvent[], width = 100): string {
  const hops = ['client', ...scenario.hops.map((h) => h.id)];
  const out = [`${report.name}${report.file ? `  (${report.file})` : ''}`, ''];
  if (scenario.description) out.push(...wrap(scenario.description.trim(), '', width), '');
  out.push(
    ...wrap(
      `The chain: ${hops.join(' → ')}. Each hop offers STARTTLS as its inbound mode says (${scenario.hops.map((h) => `${h.id}: ${h.inbound.starttls}`).join(', ')}), and mailhop's proxy on every link watches the wire.`,
      '',
      width,
    ),
  );
  for (const m of report.messages) {
    const n = /^m(\d+)$/.exec(m.messageId);
    const msg = n ? scenario.messages[Number(n[1]) - 1] : undefined;
    out.push('', `Message ${m.messageId}${msg ? ` (${msg.from} → ${msg.to.join(', ')}, "${msg.subject}")` : ''}`);
    for (const l of m.links) out.push(...linkStory(scenario, events, m, l.link, width));
    const e2e = `End to end: ${m.endToEnd}, ${END_TO_END_MEANING[m.endToEnd]}. Outcome: ${m.outcome}, ${OUTCOME_MEANING[m.outcome]}${m.stoppedAt ? ` (at ${m.stoppedAt.hop}: ${m.stoppedAt.reply.text})` : ''}.`;
    out.push(...wrap(e2e, '  ', width));
  }
  if (report.messages.length === 0) out.push('', 'No message went through the chain.');
  if (report.expectations.length) {
    out.push('', report.passed ? 'The scenario’s claims all held:' : 'The scenario’s claims:');
    for (const e of report.expectations) out.push(`  ${e.held ? '✔' : '✘'} ${e.key}: expected ${e.expected}, got ${e.actual}`);
  }
  for (const f of report.failures.filter((x) => x.includes(' leaked on '))) out.push(`  ✘ ${f}`);
  return `${out.map(escapeControls).join('\n')}\n`;
}
