import { loadScenarios } from '../scenario/load-scenario.js';
import { loadOrReport } from './load-or-report.js';

/** `mailhop validate <paths...>`: schema check only; 0 when all are valid, 2 otherwise. */
export async function validateCommand(paths: string[]): Promise<number> {
  const loaded = await loadOrReport(() => loadScenarios(paths));
  if (!loaded) return 2;
  for (const { file, scenario } of loaded) process.stdout.write(`ok ${file} (${scenario.name})\n`);
  return 0;
}
