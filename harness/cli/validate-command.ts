import { loadScenarios, ScenarioError } from '../scenario/load-scenario.js';

/** `mailhop validate <paths...>`: schema check only; 0 when all are valid, 2 otherwise. */
export async function validateCommand(paths: string[]): Promise<number> {
  try {
    const loaded = await loadScenarios(paths);
    for (const { file, scenario } of loaded) process.stdout.write(`ok ${file} (${scenario.name})\n`);
    return 0;
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
