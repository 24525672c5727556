/**
 * The bench's result table: one row per figure, with the baseline, the ratio, the target and
 * PASS/MISS where the figure has a target.
 */
import pc from 'picocolors';

export interface Row {
  figure: string;
  mailhop: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  /** undefined: context only, no target. */
  pass?: boolean;
}

export const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
export const perSec = (x: number): string => `${x.toFixed(1)} msgs/s`;
export const ratio = (x: number): string => `${x.toFixed(2)}x`;

const COLUMNS: Array<[keyof Row, string]> = [
  ['figure', 'figure'],
  ['mailhop', 'mailhop'],
  ['baseline', 'baseline'],
  ['ratio', 'ratio'],
  ['target', 'target'],
];

export function renderTable(rows: readonly Row[]): string {
  const cell = (r: Row, k: keyof Row) => (k === 'pass' ? '' : String(r[k] ?? ''));
  const widths = COLUMNS.map(([k, title]) => Math.max(title.length, ...rows.map((r) => cell(r, k).length)));
  const line = (cells: string[], verdict: string) => `${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}  ${verdict}`;
  const verdict = (r: Row) => (r.pass === undefined ? '' : r.pass ? pc.green('PASS') : pc.bold(pc.red('MISS')));
  return [
    line(COLUMNS.map(([, t]) => t), 'result'),
    line(widths.map((w) => '-'.repeat(w)), '------'),
    ...rows.map((r) => line(COLUMNS.map(([k]) => cell(r, k)), verdict(r))),
  ].join('\n');
}

/** The closing lines: all targets met, or every missed one, loudly. */
export function renderVerdict(rows: readonly Row[]): string {
  const judged = rows.filter((r) => r.pass !== undefined);
  const missed = judged.filter((r) => !r.pass);
  if (missed.length === 0) return pc.green(`All ${judged.length} targets met.`);
  const bar = pc.bold(pc.red('!'.repeat(72)));
  return [
    bar,
    pc.bold(pc.red(`MISS: ${missed.length} of ${judged.length} targets missed`)),
    ...missed.map((r) => pc.red(`  - ${r.figure}: ${r.ratio ?? r.mailhop} (target ${r.target})`)),
    bar,
  ].join('\n');
}
