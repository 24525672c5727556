/**
 * The report files of `mailhop run`: `--junit`, `--html` and `--record`, written once every scenario ran.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderJunit } from '../report/junit-report.js';
import { renderHtml } from '../report/html-report.js';
import { writeRunFile } from '../report/run-file.js';
import type { RunRecord } from '../report/run-record.js';
import { escapeControls } from '../report/terminal-safe.js';
import type { Shard } from './select-scenarios.js';
import { writeTlsRptFiles } from '../tlsrpt/report-files.js';

/**
 * Writes each report file that `files` names, in the order JUnit, HTML, run record, TLS-RPT reports, saying `wrote <file>` on
 * stderr; one that cannot be written is said on stderr too (`mailhop: cannot write <file>: <why>`) and the
 * others are still written.
 * @returns false when any file could not be written (the run then exits 2).
 */
export async function writeReportFiles(
  files: { junit?: string; html?: string; record?: string; tlsrpt?: string },
  records: RunRecord[],
  shard: Shard | undefined,
): Promise<boolean> {
  const outputs: Array<[string | undefined, () => string | Promise<void>]> = [
    [files.junit, () => renderJunit(records)],
    [files.html, () => renderHtml(records)],
    [files.record, () => writeRunFile(files.record!, records, shard ?? null)],
    [files.tlsrpt, () => writeRunTlsRpt(files.tlsrpt!, records)],
  ];
  let ok = true;
  for (const [file, render] of outputs) {
    if (!file) continue;
    try {
      const text = await render();
      if (typeof text === 'string') await writeFile(file, text);
      process.stderr.write(`wrote ${escapeControls(file)}\n`);
    } catch (err) {
      process.stderr.write(`${escapeControls(`mailhop: cannot write ${file}: ${(err as Error).message}`)}\n`);
      ok = false;
    }
  }
  return ok;
}

/** Each scenario's TLS-RPT reports under `dir/<scenario name>/`, with their RFC 8460 §5.1 names. */
async function writeRunTlsRpt(dir: string, records: readonly RunRecord[]): Promise<void> {
  for (const { report } of records) {
    const reports = report.tlsRpt?.reports ?? [];
    if (reports.length === 0) continue;
    await writeTlsRptFiles(path.join(dir, report.name), reports.map((r) => ({ submitter: r.submitter, built: { policyDomain: r.policyDomain, day: r.day, report: r.report } })));
  }
}
