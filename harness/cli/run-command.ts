import { writeFile } from 'node:fs/promises';
import { loadScenarios, ScenarioError } from '../scenario/load-scenario.js';
import { runScenarios } from '../chain/run-scenarios.js';
import { renderScenario, renderSummary } from '../report/text-report.js';
import { renderJson } from '../report/json-report.js';
import { renderJunit } from '../report/junit-report.js';
import { renderHtml } from '../report/html-report.js';
import type { RunRecord } from '../report/run-record.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { runScenariosTraced } from './run-traced.js';
import { TerminalProgress, type TerminalOut } from './terminal-progress.js';

/** Options of `mailhop run`. */
export interface RunOptions {
  json?: boolean;
  concurrency?: number;
  /** Write a JUnit XML report here. */
  junit?: string;
  /** Write a self-contained HTML report here (runs keep their traces for the transcripts). */
  html?: string;
}

/**
 * `mailhop run <paths...> [--json] [--junit file] [--html file]`: 0 all expectations held, 1 some
 * failed, 2 bad input (or a report file that cannot be written). On a TTY a `scenario n of m`
 * status line stays below the reports; elsewhere the output is plain lines.
 */
export async function runCommand(paths: string[], opts: RunOptions, io: { stdout: TerminalOut } = { stdout: process.stdout }): Promise<number> {
  let loaded;
  try {
    loaded = await loadScenarios(paths);
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const out = io.stdout;
  const progress = out.isTTY && !opts.json ? new TerminalProgress(out) : null;
  const tally = { done: 0, total: loaded.length, passed: 0, failed: 0 };
  progress?.update(tally);
  // Print in file order as soon as the scenarios before it are done.
  const done: string[] = [];
  let printed = 0;
  const onReport = (report: ScenarioReport, i: number) => {
    tally.done++;
    tally[report.passed ? 'passed' : 'failed']++;
    if (opts.json) return;
    done[i] = renderScenario(report);
    while (done[printed] !== undefined) {
      const text = `${done[printed++]}\n`;
      if (progress) progress.print(text);
      else out.write(`${text}\n`);
    }
    progress?.update(tally);
  };
  let records: RunRecord[] | null = null;
  let reports: ScenarioReport[];
  if (opts.html) {
    records = await runScenariosTraced(loaded, { concurrency: opts.concurrency, onReport: (r, i) => onReport(r.report, i) });
    reports = records.map((r) => r.report);
  } else {
    reports = await runScenarios(loaded, { concurrency: opts.concurrency, onReport });
  }
  progress?.end();
  if (opts.json) out.write(renderJson(reports));
  else out.write(`${renderSummary(reports)}\n`);

  let code = reports.every((r) => r.passed) ? 0 : 1;
  const files: Array<[string | undefined, () => string]> = [
    [opts.junit, () => renderJunit(reports)],
    [opts.html, () => renderHtml(records ?? [])],
  ];
  for (const [file, render] of files) {
    if (!file) continue;
    try {
      await writeFile(file, render());
      process.stderr.write(`wrote ${file}\n`);
    } catch (err) {
      process.stderr.write(`mailhop: cannot write ${file}: ${(err as Error).message}\n`);
      code = 2;
    }
  }
  return code;
}
