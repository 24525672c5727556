import { loadScenarios } from '../scenario/load-scenario.js';
import { loadOrReport } from './load-or-report.js';
import { escapeControls } from '../report/terminal-safe.js';

/**
 * `mailhop validate <paths...> [--allow-external]`: schema check only, the same `run` and `up` make before
 * they start anything; 0 when all are valid, 2 otherwise. `allowExternal`: accept non-loopback addresses on
 * `engine: external` hops, as `run --allow-external` does.
 */
export async function validateCommand(paths: string[], options: { allowExternal?: boolean } = {}): Promise<number> {
  const loaded = await loadOrReport(() => loadScenarios(paths, { allowExternal: options.allowExternal }));
  if (!loaded) return 2;
  for (const { file, scenario } of loaded) process.stdout.write(`ok ${escapeControls(file)} (${scenario.name})\n`);
  return 0;
}
