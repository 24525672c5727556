import type { LoadedScenario } from '../scenario/load-scenario.js';
import type { Scenario } from '../scenario/schema.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import { runOneScenario, type OneScenarioResult } from './run-one-scenario.js';
import { ScenarioThread, scenarioThreadCount } from './scenario-threads.js';
import { diagnoseEngines, type EngineDiagnosis } from '../engines/doctor.js';
import { unavailableEngines } from '../engines/unavailable-engines.js';
import { isAppSubmit } from '../scenario/submit.js';
import { isRealEngine } from '../scenario/hop-kind.js';
import type { RuntimeChoice } from '../runtime/select-runtime.js';

export { stopOnAbort } from './run-one-scenario.js';

/** Why a scenario whose application under test submits (`submit: { sender: app }`) cannot run from the CLI. */
export const APP_SUBMITS = 'the application under test submits its mail (submit: { sender: app }): run it from your tests with chainTest or startChain';

/** Options of {@link runScenarios}. */
export interface RunScenariosOptions {
  /** Scenarios run at once (default 4). */
  concurrency?: number;
  /**
   * Sees each report as its scenario finishes, with the chain's trace (empty when it did not run) and
   * the real time it took in ms (start of the chain to its report; 0 for a skipped scenario).
   */
  onReport?: (report: ScenarioReport, index: number, events: readonly TraceEvent[], durationMs: number) => void;
  /** Let `engine: external` hops use non-loopback addresses (startChain's `allowExternal`). */
  allowExternal?: boolean;
  /** Where hops and link proxies run (startChain's `runtime`; default `MAILHOP_RUNTIME`, else in-process). */
  runtime?: RuntimeChoice;
  /**
   * Aborting stops every running chain and starts no more (`mailhop run` on SIGINT/SIGTERM); each
   * scenario that did not finish gets a failed report saying so, and `onReport` is not called for it.
   */
  signal?: AbortSignal;
  /**
   * Scenario threads besides this one (scenario-threads.ts): each runs the scenarios it is given in chains of its
   * own, judged there, and sends back report and trace. Default: one less than the cores for a run of at least 16
   * scenarios on the in-process runtime, else 0 (everything on this thread). Scenarios with a real engine always
   * run on this thread. `concurrency` counts the chains of all threads together.
   */
  threads?: number;
}

/**
 * Runs loaded scenarios, each in its own chain, up to `concurrency` at once (chains are
 * independent). Reports come back in input order; `onReport` sees each as it finishes.
 * A chain that fails to start yields a failed report rather than aborting the others.
 */
export async function runScenarios(loaded: readonly LoadedScenario[], options: RunScenariosOptions = {}): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = new Array(loaded.length);
  let diagnoses: EngineDiagnosis[] | undefined;
  const machineEngines = () => (diagnoses ??= diagnoseEngines());
  const { signal } = options;
  const slots = Math.max(1, Math.min(options.concurrency ?? 4, loaded.length));
  const threads = Array.from({ length: Math.min(slots - 1, scenarioThreadCount(loaded.length, options.runtime, options.threads)) }, () => new ScenarioThread());
  const abortThreads = () => threads.forEach((t) => t.abort(String(signal?.reason)));
  signal?.addEventListener('abort', abortThreads, { once: true });
  let next = 0;
  // Slot k runs its scenarios on thread k mod (threads + 1), 0 being this one; a thread's slots start once it has loaded.
  const worker = async (slot: number) => {
    const thread = threads[(slot % (threads.length + 1)) - 1];
    if (thread && !(await thread.ready)) return;
    while (next < loaded.length && !signal?.aborted) {
      const i = next++;
      const { scenario, file } = loaded[i];
      // The application under test sends under `submit: { sender: app }`: only a test of the application can run it.
      const skip = isAppSubmit(scenario.submit) ? APP_SUBMITS : unavailableEngines(scenario, machineEngines);
      if (skip) {
        reports[i] = skippedReport(scenario, file, skip);
        options.onReport?.(reports[i], i, [], 0);
        continue;
      }
      const started = performance.now();
      // A real engine's processes and files belong to this process's run: such a scenario runs here.
      const here = !thread || scenario.hops.some((h) => isRealEngine(h.engine));
      const result: OneScenarioResult = here
        ? await runOneScenario(loaded[i], { allowExternal: options.allowExternal, signal, ...(options.runtime ? { runtime: options.runtime } : {}) })
        : await thread.run(loaded[i], options.allowExternal);
      reports[i] = 'failed' in result ? failedReport(scenario, file, result.failed) : result.report;
      const events = 'failed' in result ? [] : result.events;
      if (signal?.aborted) reports[i] = failedReport(scenario, file, `interrupted (${String(signal.reason)}) before it finished`);
      else options.onReport?.(reports[i], i, events, performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: slots }, (_, slot) => worker(slot)));
  } finally {
    signal?.removeEventListener('abort', abortThreads);
    await Promise.all(threads.map((t) => t.close()));
  }
  for (let i = 0; i < loaded.length; i++) reports[i] ??= failedReport(loaded[i].scenario, loaded[i].file, `not run: interrupted (${String(signal?.reason)})`);
  return reports;
}

/** The report of a scenario this machine cannot run (a real engine is missing): nothing failed, nothing ran. */
export function skippedReport(scenario: Scenario, file: string | undefined, why: string): ScenarioReport {
  return { ...failedReport(scenario, file, why), passed: true, failures: [], skipped: why };
}

/** A failed report for a scenario that has no run to judge. */
export function failedReport(scenario: Scenario, file: string | undefined, why: string): ScenarioReport {
  return {
    name: scenario.name, file, passed: false, outcome: 'mixed', endToEnd: 'mixed', links: [], messages: [],
    attempts: 0, expectations: [], failures: [why], dsns: [],
  };
}
