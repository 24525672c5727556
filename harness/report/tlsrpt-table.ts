/**
 * A TLS-RPT report (RFC 8460 §4.4) as a terminal table, for `mailhop tlsrpt check`: the report's header fields, then
 * one row per policy (type, domain, successful and failed sessions) and one per failure detail under it. Reads
 * whatever shape it gets (a report from elsewhere may omit fields or hold empty strings): a missing value prints `-`.
 */
import { columnWidths, pad } from './text-columns.js';
import { terminalSafe } from './terminal-safe.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A value as printed: `-` when absent or empty, else its text. */
const show = (v: unknown): string => (v === undefined || v === null || v === '' ? '-' : terminalSafe(Array.isArray(v) ? v.join(' ') : typeof v === 'object' ? JSON.stringify(v) : String(v)));
const field = (o: unknown, key: string): unknown => (isObject(o) ? o[key] : undefined);

/** The report as lines (no trailing newline). */
export function tlsRptTable(report: unknown): string[] {
  const range = field(report, 'date-range');
  const lines = [
    `organization  ${show(field(report, 'organization-name'))}`,
    `contact       ${show(field(report, 'contact-info'))}`,
    `report id     ${show(field(report, 'report-id'))}`,
    `date range    ${show(field(range, 'start-datetime'))} to ${show(field(range, 'end-datetime'))}`,
  ];
  const policies = field(report, 'policies');
  const header = ['policy', 'domain', 'successful', 'failed', 'result type', 'MX host', 'receiving IP', 'sessions', 'reason'];
  const rows: string[][] = [];
  for (const p of Array.isArray(policies) ? policies : []) {
    const policy = field(p, 'policy');
    const summary = field(p, 'summary');
    rows.push([show(field(policy, 'policy-type')), show(field(policy, 'policy-domain')), show(field(summary, 'total-successful-session-count')), show(field(summary, 'total-failure-session-count')), '', '', '', '', '']);
    const details = field(p, 'failure-details');
    for (const d of Array.isArray(details) ? details : []) {
      rows.push(['', '', '', '', show(field(d, 'result-type')), show(field(d, 'receiving-mx-hostname')), show(field(d, 'receiving-ip')), show(field(d, 'failed-session-count')), show(field(d, 'failure-reason-code'))]);
    }
  }
  if (rows.length === 0) return [...lines, 'no policies'];
  const widths = columnWidths(header, rows);
  const row = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd();
  return [...lines, '', row(header), ...rows.map(row)];
}
