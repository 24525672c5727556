/**
 * Runs loaded scenarios like `runScenarios` (each in its own chain, up to `concurrency` at once,
 * results in input order, a chain that fails to start becomes a failed report) and keeps each
 * chain's trace beside its report, for renderers that quote transcripts (`--html`).
 *
 * It lives beside the commands only because harness/chain/run-scenarios.ts belongs to another
 * change in flight; folding it in there (an `events` argument to `onReport`) removes this file.
 */
import type { LoadedScenario } from '../scenario/load-scenario.js';
import { startChain } from '../chain/chain.js';
import type { RunRecord } from '../report/run-record.js';

export async function runScenariosTraced(
  loaded: readonly LoadedScenario[],
  options: { concurrency?: number; onReport?: (record: RunRecord, index: number) => void } = {},
): Promise<RunRecord[]> {
  const records: RunRecord[] = new Array(loaded.length);
  let next = 0;
  const worker = async () => {
    while (next < loaded.length) {
      const i = next++;
      const { scenario, file } = loaded[i];
      try {
        await using chain = await startChain(scenario, { file });
        const report = await chain.run();
        records[i] = { report, events: chain.events() };
      } catch (err) {
        records[i] = {
          report: {
            name: scenario.name, file, passed: false, outcome: 'mixed', endToEnd: 'mixed', links: [], messages: [],
            attempts: 0, expectations: [], failures: [`the chain failed: ${(err as Error).message}`], dsns: [],
          },
          events: [],
        };
      }
      options.onReport?.(records[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, loaded.length)) }, worker));
  return records;
}
