import type { LoadedScenario } from '../scenario/load-scenario.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { startChain } from './chain.js';

/**
 * Runs loaded scenarios, each in its own chain, up to `concurrency` at once (chains are
 * independent). Reports come back in input order; `onReport` sees each as it finishes.
 * A chain that fails to start yields a failed report rather than aborting the others.
 */
export async function runScenarios(
  loaded: readonly LoadedScenario[],
  options: { concurrency?: number; onReport?: (report: ScenarioReport, index: number) => void } = {},
): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = new Array(loaded.length);
  let next = 0;
  const worker = async () => {
    while (next < loaded.length) {
      const i = next++;
      const { scenario, file } = loaded[i];
      try {
        await using chain = await startChain(scenario, { file });
        reports[i] = await chain.run();
      } catch (err) {
        reports[i] = {
          name: scenario.name, file, passed: false, outcome: 'mixed', endToEnd: 'mixed', links: [], messages: [],
          attempts: 0, expectations: [], failures: [`the chain failed: ${(err as Error).message}`], dsns: [],
        };
      }
      options.onReport?.(reports[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, loaded.length)) }, worker));
  return reports;
}
