import { constants } from 'node:os';
import { runScenarios } from '../chain/run-scenarios.js';
import { renderSummary } from '../report/text-report.js';
import { renderJson } from '../report/json-report.js';
import type { RunRecord } from '../report/run-record.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { LoadedScenario } from '../scenario/load-scenario.js';
import type { TerminalOut } from './terminal-progress.js';
import { terminalSafe } from '../report/terminal-safe.js';
import { listenForInterrupt } from './interrupt.js';
import type { RunOptions } from './run-options.js';
import { readRunInputs } from './run-inputs.js';
import { ReportPrinter } from './report-printer.js';
import { writeReportFiles } from './write-report-files.js';

export type { RunOptions } from './run-options.js';

/** Where `run` writes and which signals interrupt it (process.stdout and process, or fakes). */
export interface RunIo {
  stdout: TerminalOut;
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * `mailhop run <paths...> [--json] [--junit file] [--html file] [--record file] [--grep re] [--shard i/n]
 * [--fail-on-skip] [--verbose]`: 0 all expectations held, 1 some failed, or nothing ran because every
 * scenario was skipped (or, with `--fail-on-skip`, any was skipped), 2 bad input (or a report file that
 * cannot be written, or a `--grep` that matches nothing). An empty shard exits 0. On a TTY a `scenario n of m`
 * status line stays below the reports; elsewhere the output is plain lines. SIGINT or SIGTERM
 * stops every running chain (servers, proxies, engines) and starts no more; then 130 or 143
 * (128 + the signal's number, as a shell reports a process the signal killed), without summary or report files.
 * A second signal ends the process at once, by the signal itself.
 */
export async function runCommand(paths: string[], opts: RunOptions, io: RunIo = { stdout: process.stdout }): Promise<number> {
  const inputs = await readRunInputs(paths, opts);
  if (typeof inputs === 'number') return inputs;
  const { loaded, shard } = inputs;
  const out = io.stdout;
  const printer = new ReportPrinter(out, loaded.length, opts);
  printer.start();
  const { reports, records, signal } = await runUntilInterrupted(loaded, opts, io, printer);
  if (signal) {
    process.stderr.write(`stopped: ${printer.tally.done} of ${printer.tally.total} scenarios finished; every chain stopped\n`);
    return 128 + constants.signals[signal];
  }
  printer.end();
  if (opts.json) out.write(renderJson(reports));
  else out.write(`${renderSummary(reports)}\n`);

  let code = exitCodeOfReports(reports, opts.failOnSkip);
  const withRecords = reports.map((report, i) => records[i] ?? { report, events: [], scenario: loaded[i].scenario });
  if (!(await writeReportFiles(opts, withRecords, shard))) code = 2;
  return code;
}

/** What {@link runUntilInterrupted} ran: the reports in file order, their run records, and the signal that stopped it. */
interface RunResult {
  reports: ScenarioReport[];
  /** By scenario index; with its trace only when an output quotes it (`--html`, `--record`, `--junit`). */
  records: RunRecord[];
  /** Set when SIGINT or SIGTERM stopped the run (then `reports` is not the whole run). */
  signal?: 'SIGINT' | 'SIGTERM';
}

/**
 * Runs `loaded` with `printer` told of each report as it comes. The first SIGINT or SIGTERM (on `io.signals`)
 * ends the status line, says `<signal>: stopping the running chains…` on stderr and stops every chain; a second
 * one ends the process at once (interrupt.ts).
 */
async function runUntilInterrupted(loaded: LoadedScenario[], opts: RunOptions, io: RunIo, printer: ReportPrinter): Promise<RunResult> {
  const interrupt = new AbortController();
  const listening = listenForInterrupt(io.signals ?? process, (signal) => {
    printer.end();
    process.stderr.write(`\n${signal}: stopping the running chains…\n`);
    interrupt.abort(signal);
  });
  // The HTML report quotes transcripts, so it keeps each chain's trace beside its report.
  const records: RunRecord[] = [];
  let reports: ScenarioReport[];
  try {
    reports = await runScenarios(loaded, {
      concurrency: opts.concurrency,
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      signal: interrupt.signal,
      allowExternal: opts.allowExternal,
      runtime: opts.runtime,
      onReport: (report, i, events, durationMs) => {
        // Traces are kept only for the outputs that quote them.
        records[i] = { report, events: opts.html || opts.record || opts.junit ? events : [], scenario: loaded[i].scenario, durationMs };
        printer.onReport(report, i, events);
      },
    });
  } finally {
    listening[Symbol.dispose]();
  }
  const signal = interrupt.signal.aborted ? (interrupt.signal.reason as 'SIGINT' | 'SIGTERM') : undefined;
  return { reports, records, signal };
}

/**
 * 0 when every scenario passed, else 1. A CI job where nothing ran must not go green: all skipped is a failure,
 * and `failOnSkip` makes any skip one; either is said on stderr with the first skip's reason.
 */
function exitCodeOfReports(reports: ScenarioReport[], failOnSkip: boolean | undefined): number {
  let code = reports.every((r) => r.passed) ? 0 : 1;
  const skipped = reports.filter((r) => r.skipped);
  if (skipped.length && (skipped.length === reports.length || failOnSkip)) {
    const what = skipped.length === reports.length ? `nothing ran: all ${reports.length} scenario${reports.length === 1 ? ' was' : 's were'} skipped` : `${skipped.length} scenario${skipped.length === 1 ? ' was' : 's were'} skipped (--fail-on-skip)`;
    process.stderr.write(`mailhop run: ${what}: ${terminalSafe(skipped[0].skipped ?? '')}${skipped.length > 1 ? ` (and ${skipped.length - 1} more)` : ''}\n`);
    code = Math.max(code, 1);
  }
  return code;
}
