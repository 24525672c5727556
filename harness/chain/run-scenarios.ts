import type { LoadedScenario } from '../scenario/load-scenario.js';
import type { Scenario } from '../scenario/schema.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import { startChain } from './chain.js';
import { diagnoseEngines, type EngineDiagnosis } from '../engines/doctor.js';
import { unavailableEngines } from '../engines/unavailable-engines.js';
import { isAppSubmit } from '../scenario/submit.js';
import type { RuntimeChoice } from '../runtime/select-runtime.js';

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
  let next = 0;
  const worker = async () => {
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
      let events: readonly TraceEvent[] = [];
      try {
        await using chain = await startChain(scenario, { file, allowExternal: options.allowExternal, ...(options.runtime ? { runtime: options.runtime } : {}) });
        using _stop = stopOnAbort(chain, signal);
        // An abort stops the chain, and the judging of a large run at its next turn of the event loop.
        reports[i] = await chain.run({ signal });
        events = chain.events();
      } catch (err) {
        // A runtime the run asked for and cannot have fails the run (engines a scenario lacks were skipped above).
        reports[i] = failedReport(scenario, file, `the chain failed: ${(err as Error).message}`);
      }
      if (signal?.aborted) reports[i] = failedReport(scenario, file, `interrupted (${String(signal.reason)}) before it finished`);
      else options.onReport?.(reports[i], i, events, performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, loaded.length)) }, worker));
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

/** Stops `chain` when `signal` aborts (at once if it already has); disposing stops listening. */
export function stopOnAbort(chain: { stop(): Promise<void> }, signal: AbortSignal | undefined): Disposable {
  const stop = () => void chain.stop();
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  return { [Symbol.dispose]: () => signal?.removeEventListener('abort', stop) };
}
