/**
 * How `mailhop run` prints scenario reports while scenarios finish in any order: each in file order as soon as
 * the ones before it are done, above a `scenario n of m` status line on a TTY (terminal-progress.ts), as plain
 * lines elsewhere, and nothing with `--json` (the JSON report comes at the end).
 */
import { renderScenario } from '../report/text-report.js';
import { failureEvidence } from '../report/failure-evidence.js';
import { terminalSafe } from '../report/terminal-safe.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import { TerminalProgress, type TerminalOut } from './terminal-progress.js';

/** Scenarios done, passed and failed so far, of `total`. */
export interface RunTally {
  done: number;
  total: number;
  passed: number;
  failed: number;
}

export class ReportPrinter {
  /** Counts of the run so far (the status line, and the `stopped: n of m` line after a signal). */
  readonly tally: RunTally;
  readonly #out: TerminalOut;
  readonly #progress: TerminalProgress | null;
  readonly #opts: { json?: boolean; verbose?: boolean };
  /** Rendered reports by scenario index, waiting for the ones before them. */
  readonly #done: string[] = [];
  #printed = 0;

  /**
   * @param total scenarios in the run.
   * @param opts `json`: print no reports (the status line is off too); `verbose`: add the failing link's transcript.
   */
  constructor(out: TerminalOut, total: number, opts: { json?: boolean; verbose?: boolean }) {
    this.#out = out;
    this.#opts = opts;
    this.#progress = out.isTTY && !opts.json ? new TerminalProgress(out) : null;
    this.tally = { done: 0, total, passed: 0, failed: 0 };
  }

  /** Draws the status line (on a TTY). */
  start(): void {
    this.#progress?.update(this.tally);
  }

  /** Counts scenario `i`'s report and prints every report now in file order; `events` give the `--verbose` transcript. */
  onReport(report: ScenarioReport, i: number, events: readonly TraceEvent[]): void {
    this.tally.done++;
    this.tally[report.passed ? 'passed' : 'failed']++;
    if (this.#opts.json) return;
    const evidence = this.#opts.verbose ? failureEvidence(report, events) : [];
    this.#done[i] = evidence.length ? `${renderScenario(report)}\n    on the wire:\n${evidence.map(terminalSafe).join('\n')}` : renderScenario(report);
    while (this.#done[this.#printed] !== undefined) {
      const text = `${this.#done[this.#printed++]}\n`;
      if (this.#progress) this.#progress.print(text);
      else this.#out.write(`${text}\n`);
    }
    this.#progress?.update(this.tally);
  }

  /** Removes the status line (on a TTY). */
  end(): void {
    this.#progress?.end();
  }
}
