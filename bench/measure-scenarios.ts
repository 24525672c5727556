/**
 * The bundled mock scenarios run as `mailhop run scenarios/` runs them: load the folder, keep the scenarios
 * whose hops are all mailhop's own (a scenario with a real engine, `engine: postfix` and the like, waits for that
 * MTA's processes, which is not mailhop's speed), then `runScenarios` with its defaults (as the CLI's).
 * Scenarios the application under test submits (`submit: { sender: app }`) stay in: the CLI skips them, as it does here.
 */
import { loadScenarios } from '../harness/scenario/load-scenario.js';
import { runScenarios } from '../harness/chain/run-scenarios.js';
import { isRealEngine } from '../harness/scenario/hop-kind.js';
import { isAppSubmit } from '../harness/scenario/submit.js';
import { now } from './stats.js';

export interface ScenariosResult {
  /** load + run, ms. */
  wallMs: number;
  loadMs: number;
  /** Scenarios run (mock hops only), of `files` loaded. */
  count: number;
  files: number;
  /** Files left out for a real engine among their hops. */
  withEngines: string[];
  /** Of `count`, the scenarios the CLI skips because the application under test submits. */
  appSubmitted: number;
  failed: string[];
}

export async function measureScenarios(dir: string): Promise<ScenariosResult> {
  const start = now();
  const loaded = await loadScenarios([dir]);
  const engine = (l: (typeof loaded)[number]) => l.scenario.hops.some((h) => isRealEngine(h.engine));
  const mock = loaded.filter((l) => !engine(l));
  const loadMs = now() - start;
  const reports = await runScenarios(mock);
  return {
    wallMs: now() - start, loadMs, count: reports.length, files: loaded.length,
    withEngines: loaded.filter(engine).map((l) => l.file),
    appSubmitted: mock.filter((l) => isAppSubmit(l.scenario.submit)).length,
    failed: reports.filter((r) => !r.passed).map((r) => r.name),
  };
}

/** The bench row's label: what ran and what was left out. */
export function scenariosLabel(r: ScenariosResult): string {
  return `scenarios/, mock: ${r.count} of ${r.files} (${r.withEngines.length} with engines out, ${r.appSubmitted} app-submitted skip), load + run`;
}
