import { writeFile } from 'node:fs/promises';
import { mergeRunFiles, readRunFile, type RunFile } from '../report/run-file.js';
import { renderScenario, renderSummary } from '../report/text-report.js';
import { renderJson } from '../report/json-report.js';
import { renderJunit } from '../report/junit-report.js';
import { renderHtml } from '../report/html-report.js';
import { exitCodeOf, MailhopError } from '../errors.js';
import { escapeControls, terminalSafe } from '../report/terminal-safe.js';
import type { TerminalOut } from './terminal-progress.js';

/** Options of `mailhop merge`. */
export interface MergeOptions {
  junit?: string;
  html?: string;
  json?: boolean;
}

/**
 * `mailhop merge <run files...> [--junit file] [--html file] [--json]`: joins the run records that
 * `mailhop run --shard i/n --record file` wrote on several CI machines into one report, as if one
 * machine had run every scenario (ordered by file, then name). Prints the scenario tables and the
 * summary (or the JSON report). Exit 0 when every scenario passed, 1 when one failed or every one was
 * skipped, 2 when a file is not a run record, a scenario is in two files, or a report cannot be written.
 */
export async function mergeCommand(paths: readonly string[], opts: MergeOptions, io: { stdout: TerminalOut } = { stdout: process.stdout }): Promise<number> {
  let files: RunFile[];
  let records;
  try {
    files = await Promise.all(paths.map(readRunFile));
    records = mergeRunFiles(files);
  } catch (err) {
    if (!(err instanceof MailhopError)) throw err;
    process.stderr.write(`mailhop merge: ${terminalSafe(err.message)}\n`);
    return exitCodeOf(err);
  }
  const shards = files.filter((f) => f.shard).map((f) => `${f.shard!.index}/${f.shard!.count}`);
  const reports = records.map((r) => r.report);
  if (opts.json) io.stdout.write(renderJson(reports));
  else {
    for (const r of reports) io.stdout.write(`${renderScenario(r)}\n\n`);
    io.stdout.write(`${renderSummary(reports)}${shards.length ? ` (merged shards ${shards.join(', ')})` : ''}\n`);
  }
  // As for run: nothing that ran is not a green build (no scenario at all, or every one skipped).
  const ran = reports.filter((r) => !r.skipped).length;
  if (ran === 0) process.stderr.write(`mailhop merge: nothing ran: ${reports.length ? `all ${reports.length} scenarios were skipped` : 'the records hold no scenario'}\n`);
  let code = reports.every((r) => r.passed) && ran > 0 ? 0 : 1;
  for (const [file, render] of [[opts.junit, () => renderJunit(records)], [opts.html, () => renderHtml(records)]] as const) {
    if (!file) continue;
    try {
      await writeFile(file, render());
      process.stderr.write(`wrote ${escapeControls(file)}\n`);
    } catch (err) {
      process.stderr.write(`${escapeControls(`mailhop merge: cannot write ${file}: ${(err as Error).message}`)}\n`);
      code = 2;
    }
  }
  return code;
}
