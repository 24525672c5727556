import { loadOrReport } from './load-or-report.js';
import { access, writeFile } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { constants } from 'node:os';
import { loadScenarios } from '../scenario/load-scenario.js';
import { runScenarios } from '../chain/run-scenarios.js';
import { renderScenario, renderSummary } from '../report/text-report.js';
import { renderJson } from '../report/json-report.js';
import { renderJunit } from '../report/junit-report.js';
import { renderHtml } from '../report/html-report.js';
import type { RunRecord } from '../report/run-record.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import { TerminalProgress, type TerminalOut } from './terminal-progress.js';
import { parseGrep, parseShard, selectScenarios, type Shard } from './select-scenarios.js';
import { failureEvidence } from '../report/failure-evidence.js';
import { escapeControls, terminalSafe } from '../report/terminal-safe.js';
import { writeRunFile } from '../report/run-file.js';
import { exitCodeOf, MailhopError } from '../errors.js';
import type { RuntimeName } from '../runtime/runtime.js';
import { listenForInterrupt } from './interrupt.js';

/** Options of `mailhop run`. */
export interface RunOptions {
  json?: boolean;
  concurrency?: number;
  /** Write a JUnit XML report here. */
  junit?: string;
  /** Write a self-contained HTML report here (runs keep their traces for the transcripts). */
  html?: string;
  /** Let `engine: external` hops name non-loopback addresses (never needed for mock or real-engine hops). */
  allowExternal?: boolean;
  /** Run only scenarios whose name or file path matches this JavaScript regular expression. */
  grep?: string;
  /** `i/n`: run only the i-th of n deterministic slices of the scenarios (select-scenarios.ts). */
  shard?: string;
  /** Exit 1 when any scenario was skipped (by default only a run where every scenario was skipped fails). */
  failOnSkip?: boolean;
  /** Print, under each failed scenario's table, the SMTP transcript of the failing link. */
  verbose?: boolean;
  /** Write a run record (reports, traces, times) here, for `mailhop merge` (run-file.ts). */
  record?: string;
  /** Where hops and link proxies run (`--runtime`); default `MAILHOP_RUNTIME`, else in-process. */
  runtime?: RuntimeName;
}

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
  if (opts.concurrency !== undefined && !(Number.isInteger(opts.concurrency) && opts.concurrency >= 1)) {
    process.stderr.write(`mailhop run: --concurrency must be a whole number of scenarios, 1 or more; got ${escapeControls(JSON.stringify(String(opts.concurrency)))}\n`);
    return 2;
  }
  let grep: RegExp | undefined;
  let shard: Shard | undefined;
  try {
    grep = opts.grep !== undefined ? parseGrep(opts.grep) : undefined;
    shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
  } catch (err) {
    if (!(err instanceof MailhopError)) throw err;
    process.stderr.write(`mailhop run: ${terminalSafe(err.message)}\n`);
    return exitCodeOf(err);
  }
  const all = await loadOrReport(() => loadScenarios(paths, { allowExternal: opts.allowExternal }));
  if (!all) return 2;
  const loaded = selectScenarios(all, { grep, shard });
  if (grep && !selectScenarios(all, { grep }).length) {
    process.stderr.write(`mailhop run: --grep ${escapeControls(JSON.stringify(opts.grep))} matches none of the ${all.length} scenarios (names and file paths)\n`);
    return 2;
  }
  if (shard) process.stderr.write(`shard ${shard.index}/${shard.count}: ${loaded.length} of ${all.length} scenarios\n`);
  // A report file that cannot be written is bad input: said before any scenario runs, not after all of them.
  for (const file of [opts.junit, opts.html, opts.record]) {
    if (!file) continue;
    try {
      await access(path.dirname(path.resolve(file)), fsConstants.W_OK);
    } catch (err) {
      process.stderr.write(`${escapeControls(`mailhop run: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (its folder ${path.dirname(path.resolve(file))})`)}\n`);
      return 2;
    }
  }
  const out = io.stdout;
  const progress = out.isTTY && !opts.json ? new TerminalProgress(out) : null;
  const tally = { done: 0, total: loaded.length, passed: 0, failed: 0 };
  progress?.update(tally);
  // Print in file order as soon as the scenarios before it are done.
  const done: string[] = [];
  let printed = 0;
  const onReport = (report: ScenarioReport, i: number, events: readonly TraceEvent[]) => {
    tally.done++;
    tally[report.passed ? 'passed' : 'failed']++;
    if (opts.json) return;
    const evidence = opts.verbose ? failureEvidence(report, events) : [];
    done[i] = evidence.length ? `${renderScenario(report)}\n    on the wire:\n${evidence.map(terminalSafe).join('\n')}` : renderScenario(report);
    while (done[printed] !== undefined) {
      const text = `${done[printed++]}\n`;
      if (progress) progress.print(text);
      else out.write(`${text}\n`);
    }
    progress?.update(tally);
  };
  const interrupt = new AbortController();
  // A second signal while the chains stop leaves at once (interrupt.ts).
  const listening = listenForInterrupt(io.signals ?? process, (signal) => {
    progress?.end();
    process.stderr.write(`\n${signal}: stopping the running chains…\n`);
    interrupt.abort(signal);
  });
  // The HTML report quotes transcripts, so it keeps each chain's trace beside its report.
  const records: RunRecord[] = [];
  let reports: ScenarioReport[];
  try {
    reports = await runScenarios(loaded, {
      concurrency: opts.concurrency,
      signal: interrupt.signal,
      allowExternal: opts.allowExternal,
      runtime: opts.runtime,
      onReport: (report, i, events, durationMs) => {
        // Traces are kept only for the outputs that quote them.
        records[i] = { report, events: opts.html || opts.record || opts.junit ? events : [], scenario: loaded[i].scenario, durationMs };
        onReport(report, i, events);
      },
    });
  } finally {
    listening[Symbol.dispose]();
  }
  if (interrupt.signal.aborted) {
    const signal = interrupt.signal.reason as 'SIGINT' | 'SIGTERM';
    process.stderr.write(`stopped: ${tally.done} of ${tally.total} scenarios finished; every chain stopped\n`);
    return 128 + constants.signals[signal];
  }
  progress?.end();
  if (opts.json) out.write(renderJson(reports));
  else out.write(`${renderSummary(reports)}\n`);

  let code = reports.every((r) => r.passed) ? 0 : 1;
  const skipped = reports.filter((r) => r.skipped);
  // A CI job where nothing ran must not go green: all skipped is a failure; --fail-on-skip makes any skip one.
  if (skipped.length && (skipped.length === reports.length || opts.failOnSkip)) {
    const what = skipped.length === reports.length ? `nothing ran: all ${reports.length} scenario${reports.length === 1 ? ' was' : 's were'} skipped` : `${skipped.length} scenario${skipped.length === 1 ? ' was' : 's were'} skipped (--fail-on-skip)`;
    process.stderr.write(`mailhop run: ${what}: ${terminalSafe(skipped[0].skipped ?? '')}${skipped.length > 1 ? ` (and ${skipped.length - 1} more)` : ''}\n`);
    code = Math.max(code, 1);
  }
  const withRecords = reports.map((report, i) => records[i] ?? { report, events: [], scenario: loaded[i].scenario });
  const files: Array<[string | undefined, () => string | Promise<void>]> = [
    [opts.junit, () => renderJunit(withRecords)],
    [opts.html, () => renderHtml(withRecords)],
    [opts.record, () => writeRunFile(opts.record!, withRecords, shard ?? null)],
  ];
  for (const [file, render] of files) {
    if (!file) continue;
    try {
      const text = await render();
      if (typeof text === 'string') await writeFile(file, text);
      process.stderr.write(`wrote ${escapeControls(file)}\n`);
    } catch (err) {
      process.stderr.write(`${escapeControls(`mailhop: cannot write ${file}: ${(err as Error).message}`)}\n`);
      code = 2;
    }
  }
  return code;
}
