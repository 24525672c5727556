import type { Command } from 'commander';
import { readReportFile } from '../tlsrpt/read-report.js';
import { tlsRptViolations } from '../tlsrpt/tlsrpt-schema.js';
import { tlsRptTable } from '../report/tlsrpt-table.js';
import { escapeControls } from '../report/terminal-safe.js';

/**
 * `mailhop tlsrpt check <file>`: reads a TLS-RPT report (`.json`, `.json.gz` or a report mail, read-report.ts),
 * prints it as a table, then every way it breaks schemas/tlsrpt.schema.json (RFC 8460 §4.4) by JSON path.
 * @returns 0 when the report conforms, 1 when it has schema violations; a file that is no report throws `EUSAGE` (exit 2).
 */
export async function tlsRptCheckCommand(file: string, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const read = await readReportFile(file);
  out(`${escapeControls(file)}: ${read.format === 'mail' ? `report mail, part ${escapeControls(read.filename ?? '(unnamed)')}` : read.format}`);
  for (const line of tlsRptTable(read.report)) out(line);
  const violations = tlsRptViolations(read.report);
  out('');
  if (violations.length === 0) {
    out('schema: conforms to RFC 8460 §4.4 (schemas/tlsrpt.schema.json)');
    return 0;
  }
  out(`schema: ${violations.length} violation${violations.length > 1 ? 's' : ''} of RFC 8460 §4.4 (schemas/tlsrpt.schema.json)`);
  for (const v of violations) out(`  ${escapeControls(v.path)}: ${escapeControls(v.message)}`);
  return 1;
}

/** Adds `mailhop tlsrpt check <file>`; the exit code goes to `setExit`. */
export function registerTlsRptCommand(program: Command, setExit: (code: number) => void): void {
  const tlsrpt = program.command('tlsrpt').description('TLS-RPT reports (RFC 8460): read and check them');
  tlsrpt
    .command('check')
    .description('print a TLS-RPT report (.json, .json.gz or a report mail .eml) as a table and name its schema violations')
    .argument('<file>', 'the report: JSON, gzip-compressed JSON, or a report mail')
    .action(async (file: string) => setExit(await tlsRptCheckCommand(file)));
}
