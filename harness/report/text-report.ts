/**
 * Renders run reports as terminal text: per scenario a compact table of links (lock marks,
 * version, cipher, verdict), the end-to-end verdict, whether the Received headers match the wire
 * (and where not, how), and a summary line. Pure: report in, text out.
 */
import { tlsRptLines } from './tlsrpt-words.js';
import pc from 'picocolors';
import type { LinkVerdictName } from '../scenario/schema.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { headerSummary, headerWords } from './header-words.js';
import { columnWidths, pad } from './text-columns.js';
import { escapeStrings } from './terminal-safe.js';
import { destinationLines, mixedCopiesWords } from './destination-lines.js';
import { dnsAnswerWords, linkPolicyWords, stsDiscoveryWords } from './dns-words.js';

const MARK: Record<LinkVerdictName, string> = {
  'tls-verified': '🔒',
  tls: '🔒',
  downgraded: '🔓',
  stripped: '🔓',
  plain: '🔓',
  refused: '⛔',
  // Not the middle dot: that separates the parts of a line.
  none: '–',
};

function colourVerdict(v: string): string {
  if (v === 'tls-verified' || v === 'encrypted-verified') return pc.green(v);
  if (v === 'tls' || v === 'encrypted' || v === 'held') return pc.cyan(v);
  if (v === 'refused' || v === 'none') return pc.dim(v);
  return pc.red(v);
}

/**
 * What the Received headers claim against the wire: one line for the messages where they agree; per
 * message where they do not, each disagreeing link with both accounts and what a recipient would get wrong.
 */
function headerLines(report: ScenarioReport): string[] {
  const words = headerWords(report);
  const agreeing = words.filter((m) => m.agrees);
  const out = agreeing.length ? [pc.dim(`    ✔ ${headerSummary(agreeing)}`)] : [];
  for (const m of words.filter((x) => !x.agrees)) {
    out.push(pc.yellow(`    ⚠ ${headerSummary([m])}:`));
    for (const l of m.links.filter((x) => !x.agrees)) {
      out.push(`        ${l.link}: the headers say ${l.said}; the wire: ${pc.red(l.wire)}`, pc.dim(`          ${l.consequence}`));
    }
  }
  return out;
}

/**
 * Renders one scenario: header line, link table, end-to-end line, headers against the wire, failed expectations.
 * Every text of the report (a peer's reply, a Received header, a file name) is printed with its control
 * characters escaped (terminal-safe.ts).
 */
export function renderScenario(raw: ScenarioReport): string {
  const report = escapeStrings(raw);
  if (report.skipped) return `${pc.yellow('↷')} ${pc.bold(report.name)}${report.file ? pc.dim(`  ${report.file}`) : ''}\n    ${pc.yellow(`skipped: ${report.skipped}`)}`;
  const head = `${report.passed ? pc.green('✔') : pc.red('✘')} ${pc.bold(report.name)}${report.file ? pc.dim(`  ${report.file}`) : ''}`;
  // A chain that never started (a busy port, no container engine): no table of nothing, only why.
  if (report.links.length === 0 && report.messages.length === 0) return [head, ...report.failures.map((f) => pc.red(`    ✘ ${f}`))].join('\n');
  const rows = report.links.map((l) => [
    l.link,
    `${MARK[l.verdict]} ${l.verdict}${l.disagreement ? ' ⚠' : ''}`,
    l.version ? `${l.version}${l.resumed ? ` (${l.resumed} resumed)` : ''}` : '-',
    l.cipher ?? '-',
    String(l.attempts),
  ]);
  const header = ['link', 'verdict', 'TLS', 'cipher', 'sessions'];
  const widths = columnWidths(header, rows);
  const line = (cells: string[], colour = (s: string, _i: number) => s) =>
    `    ${cells.map((c, i) => colour(pad(c, widths[i]), i)).join('  ')}`.trimEnd();
  const out = [head, pc.dim(line(header))];
  for (const r of rows) out.push(line(r, (s, i) => (i === 1 ? colourVerdict(s.trimEnd()) + ' '.repeat(s.length - s.trimEnd().length) : s)));
  const copies = mixedCopiesWords(report);
  out.push(`    end to end: ${colourVerdict(report.endToEnd)} · outcome: ${report.outcome}${copies ? ` (${copies})` : ''}`);
  for (const a of report.dns ?? []) out.push(pc.dim(`    DNS ${dnsAnswerWords(a)}`));
  for (const d of report.mtaSts ?? []) out.push(`    MTA-STS ${stsDiscoveryWords(d)}`);
  // A run that split messages per destination says each copy's policy under the copy instead (destination-lines.ts).
  const split = report.messages.some((m) => m.destinations);
  for (const l of split ? [] : report.links) {
    const words = linkPolicyWords(l);
    if (words) out.push(`    policy ${words}`);
  }
  for (const l of tlsRptLines(report.tlsRpt?.reports ?? [])) out.push(`    ${l}`);
  // Messages that fared differently make the headline `mixed`: each one's own verdict then, as for the copies of a split
  // message, since a delivered message has no `stopped at` line to tell it apart.
  const mixed = !copies && report.messages.length > 1 && (report.endToEnd === 'mixed' || report.outcome === 'mixed');
  for (const m of report.messages) {
    if (m.destinations) out.push(...destinationLines(m, colourVerdict));
    else if (mixed) {
      out.push(`    ${m.messageId}: ${m.outcome} · ${colourVerdict(m.endToEnd)}`);
      if (m.stoppedAt) out.push(pc.dim(`      stopped at ${m.stoppedAt.hop}: ${m.stoppedAt.reply.text}`));
    } else if (m.stoppedAt) out.push(pc.dim(`    ${m.messageId} stopped at ${m.stoppedAt.hop}: ${m.stoppedAt.reply.text}`));
  }
  out.push(...headerLines(report));
  for (const l of report.links) {
    if (l.disagreement) out.push(pc.yellow(`    ⚠ ${l.link}: ${l.disagreement}`));
  }
  for (const f of report.failures) out.push(pc.red(`    ✘ ${f}`));
  return out.join('\n');
}

/** The closing summary line, e.g. `12 scenarios: 11 passed, 1 failed`. */
export function renderSummary(reports: readonly ScenarioReport[]): string {
  const failed = reports.filter((r) => !r.passed).length;
  const skipped = reports.filter((r) => r.skipped).length;
  const text = `${reports.length} scenario${reports.length === 1 ? '' : 's'}: ${reports.length - failed - skipped} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  return failed ? pc.red(text) : pc.green(text);
}
