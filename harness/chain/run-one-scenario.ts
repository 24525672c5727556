/**
 * One scenario in its own chain on this thread: start it, run and judge it, stop it. What {@link runScenarios}
 * does for each scenario, here or on a scenario thread (scenario-thread-entry.ts), so both judge alike.
 */
import type { LoadedScenario } from '../scenario/load-scenario.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import type { RuntimeChoice } from '../runtime/select-runtime.js';
import { RunPki } from '../pki/run-pki.js';
import { startChain } from './chain.js';

/** One run's PKI on this thread, shared by its chains: one CA per run (and per scenario thread), not one per scenario. */
let runPki: Promise<RunPki> | undefined;

/** The chain's report and trace, or why the chain failed (it did not start, or its runtime failed). */
export type OneScenarioResult = { report: ScenarioReport; events: readonly TraceEvent[] } | { failed: string };

/** What a chain of {@link runOneScenario} takes from the run. */
export interface OneScenarioOptions {
  allowExternal?: boolean;
  runtime?: RuntimeChoice;
  /** Aborting stops the chain (and its judging at its next turn of the event loop). */
  signal?: AbortSignal;
}

/** Starts, runs, judges and stops one chain. Never throws: a chain that fails says why in `failed`. */
export async function runOneScenario({ scenario, file }: Pick<LoadedScenario, 'scenario' | 'file'>, options: OneScenarioOptions): Promise<OneScenarioResult> {
  const { signal } = options;
  try {
    const pki = await (runPki ??= RunPki.create());
    await using chain = await startChain(scenario, { file, allowExternal: options.allowExternal, pki, ...(options.runtime ? { runtime: options.runtime } : {}) });
    using _stop = stopOnAbort(chain, signal);
    const report = await chain.run({ signal });
    return { report, events: chain.events() };
  } catch (err) {
    // A runtime the run asked for and cannot have fails the run (engines a scenario lacks were skipped before).
    return { failed: `the chain failed: ${(err as Error).message}` };
  }
}

/** Stops `chain` when `signal` aborts (at once if it already has); disposing stops listening. */
export function stopOnAbort(chain: { stop(): Promise<void> }, signal: AbortSignal | undefined): Disposable {
  const stop = () => void chain.stop();
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  return { [Symbol.dispose]: () => signal?.removeEventListener('abort', stop) };
}
