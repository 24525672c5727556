/**
 * Runs loaded scenarios like `runScenarios` (each in its own chain, up to `concurrency` at once,
 * results in input order, a chain that fails to start becomes a failed report, `signal` stops
 * them) and keeps each chain's trace beside its report, for renderers that quote transcripts (`--html`).
 *
 * It lives beside the commands only because harness/chain/run-scenarios.ts belongs to another
 * change in flight; folding it in there (an `events` argument to `onReport`) removes this file.
 */
import type { LoadedScenario } from '../scenario/load-scenario.js';
import { startChain } from '../chain/chain.js';
import { failedReport, stopOnAbort } from '../chain/run-scenarios.js';
import type { RunRecord } from '../report/run-record.js';

export async function runScenariosTraced(
  loaded: readonly LoadedScenario[],
  options: { concurrency?: number; onReport?: (record: RunRecord, index: number) => void; signal?: AbortSignal } = {},
): Promise<RunRecord[]> {
  const records: RunRecord[] = new Array(loaded.length);
  const { signal } = options;
  let next = 0;
  const worker = async () => {
    while (next < loaded.length && !signal?.aborted) {
      const i = next++;
      const { scenario, file } = loaded[i];
      try {
        await using chain = await startChain(scenario, { file });
        using _stop = stopOnAbort(chain, signal);
        const report = await chain.run();
        records[i] = { report, events: chain.events() };
      } catch (err) {
        records[i] = { report: failedReport(scenario, file, `the chain failed: ${(err as Error).message}`), events: [] };
      }
      if (signal?.aborted) records[i] = { report: failedReport(scenario, file, `interrupted (${String(signal.reason)}) before it finished`), events: [] };
      else options.onReport?.(records[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, loaded.length)) }, worker));
  for (let i = 0; i < loaded.length; i++) records[i] ??= { report: failedReport(loaded[i].scenario, loaded[i].file, `not run: interrupted (${String(signal?.reason)})`), events: [] };
  return records;
}
