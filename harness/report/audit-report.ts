/**
 * Renders an audit: the behaviour profile as a table (one row per case), then the closest presets and the
 * cases where each differs. Every text that came from a peer (a reply) is printed terminal-safe.
 */
import pc from 'picocolors';
import type { AuditProfile } from '../audit/run-audit.js';
import type { PresetDistance } from '../audit/compare-profiles.js';
import type { AuditFinding } from '../audit/findings.js';
import { columnWidths, pad } from './text-columns.js';
import { escapeStrings } from './terminal-safe.js';

const TEXT_MAX = 72;

function cut(text: string, max = TEXT_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The profile as a table: case, watched link, outcome, verdict, sessions, TLS, stopping reply. */
export function renderAuditProfile(raw: AuditProfile): string {
  const profile = escapeStrings(raw);
  const header = ['case', 'link', 'outcome', 'verdict', 'sessions', 'TLS', 'reply'];
  const rows = profile.rows.map((r) =>
    r.error
      ? [r.case, r.link, 'error', '-', '-', '-', cut(r.error.split('\n')[0])]
      : [r.case, r.link, r.outcomes.join(', '), r.verdicts.join(', '), r.sessions.join(', '), r.tls?.split(' ')[0] ?? '-', r.reply ? cut(r.reply) : '-'],
  );
  const widths = columnWidths(header, rows);
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => pad(c, widths[i])).join('  ')}`.trimEnd();
  return [pc.bold(`mailhop audit · ${profile.target} · ${profile.rows.length} case${profile.rows.length === 1 ? '' : 's'}`), pc.dim(line(header)), ...rows.map(line)].join('\n');
}

/** The closest presets (at most `shown`), each with the cases where it differs from the measured target. */
export function renderClosestPresets(distances: readonly PresetDistance[], shown = 3): string {
  if (distances.length === 0) return '';
  const out = [pc.bold('closest presets:')];
  for (const d of distances.slice(0, shown)) {
    const n = d.differences.length;
    out.push(`  ${d.preset}: ${n === 0 ? pc.green('agrees on every case') : pc.yellow(`differs on ${n} case${n === 1 ? '' : 's'}`)}`);
    for (const diff of d.differences) out.push(pc.dim(`    ${diff.case}: ${diff.how.join('; ')}`));
  }
  const rest = distances.slice(shown).map((d) => `${d.preset} (${d.differences.length})`);
  if (rest.length) out.push(pc.dim(`  then: ${rest.join(', ')}`));
  return out.join('\n');
}

/** The findings, risks marked `⚠`, notes `·`, each with the cases it rests on. */
export function renderFindings(raw: readonly AuditFinding[]): string {
  if (raw.length === 0) return '';
  const findings = escapeStrings(raw);
  return [
    pc.bold('findings:'),
    ...findings.map((f) => `  ${f.severity === 'risk' ? pc.red('⚠ risk') : pc.cyan('· note')}  ${f.text} ${pc.dim(`(${f.cases.join(', ')})`)}`),
  ].join('\n');
}
