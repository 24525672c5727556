import { loadOrReport } from './load-or-report.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { startChain } from '../chain/chain.js';
import { renderExplanation } from '../report/explain-report.js';

/**
 * `mailhop explain <scenario>`: runs one scenario and tells in plain language what happened on each
 * link and why. 0 when the scenario's claims held, 1 when one failed, 2 bad input.
 */
export async function explainCommand(path: string): Promise<number> {
  const loaded = await loadOrReport(() => loadScenarioFile(path));
  if (!loaded) return 2;
  await using chain = await startChain(loaded.scenario, { file: loaded.file });
  const report = await chain.run();
  process.stdout.write(renderExplanation(loaded.scenario, report, chain.events()));
  return report.passed ? 0 : 1;
}
