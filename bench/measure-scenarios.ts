/**
 * The bundled scenarios run as `mailhop run scenarios/` runs them: load the folder, then
 * `runScenarios` with its default concurrency (4, as the CLI's `--concurrency` default).
 */
import { loadScenarios } from '../harness/scenario/load-scenario.js';
import { runScenarios } from '../harness/chain/run-scenarios.js';
import { now } from './stats.js';

export interface ScenariosResult {
  /** load + run, ms. */
  wallMs: number;
  loadMs: number;
  count: number;
  failed: string[];
}

export async function measureScenarios(dir: string): Promise<ScenariosResult> {
  const start = now();
  const loaded = await loadScenarios([dir]);
  const loadMs = now() - start;
  const reports = await runScenarios(loaded);
  return { wallMs: now() - start, loadMs, count: reports.length, failed: reports.filter((r) => !r.passed).map((r) => r.name) };
}
