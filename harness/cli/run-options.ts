import type { RuntimeName } from '../runtime/runtime.js';

/** Options of `mailhop run`. */
export interface RunOptions {
  json?: boolean;
  concurrency?: number;
  /** Scenario threads besides the main one (`runScenarios`' `threads`); default one less than the cores from 16 scenarios on. */
  threads?: number;
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
  /** Write every TLS-RPT report of the run into this folder, `<scenario>/<RFC 8460 §5.1 file name>.json.gz`. */
  tlsrpt?: string;
  /** Where hops and link proxies run (`--runtime`); default `MAILHOP_RUNTIME`, else in-process. */
  runtime?: RuntimeName;
}
