/**
 * The report files of `mailhop run`: `--junit`, `--html` and `--record`, written once every scenario ran.
 */
import { writeFile } from 'node:fs/promises';
import { renderJunit } from '../report/junit-report.js';
import { renderHtml } from '../report/html-report.js';
import { writeRunFile } from '../report/run-file.js';
import type { RunRecord } from '../report/run-record.js';
import { escapeControls } from '../report/terminal-safe.js';
import type { Shard } from './select-scenarios.js';

/**
 * Writes each report file that `files` names, in the order JUnit, HTML, run record, saying `wrote <file>` on
 * stderr; one that cannot be written is said on stderr too (`mailhop: cannot write <file>: <why>`) and the
 * others are still written.
 * @returns false when any file could not be written (the run then exits 2).
 */
export async function writeReportFiles(
  files: { junit?: string; html?: string; record?: string },
  records: RunRecord[],
  shard: Shard | undefined,
): Promise<boolean> {
  const outputs: Array<[string | undefined, () => string | Promise<void>]> = [
    [files.junit, () => renderJunit(records)],
    [files.html, () => renderHtml(records)],
    [files.record, () => writeRunFile(files.record!, records, shard ?? null)],
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
