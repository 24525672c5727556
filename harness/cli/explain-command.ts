import { loadScenarioFile, ScenarioError } from '../scenario/load-scenario.js';
import { startChain } from '../chain/chain.js';
import { renderExplanation } from '../report/explain-report.js';

/**
 * `mailhop explain <scenario>`: runs one scenario and tells in plain language what happened on each
 * link and why. 0 when the scenario's claims held, 1 when one failed, 2 bad input.
 */
export async function explainCommand(path: string): Promise<number> {
  let loaded;
  try {
    loaded = await loadScenarioFile(path);
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  await using chain = await startChain(loaded.scenario, { file: loaded.file });
  const report = await chain.run();
  process.stdout.write(renderExplanation(loaded.scenario, report, chain.events()));
  return report.passed ? 0 : 1;
}
