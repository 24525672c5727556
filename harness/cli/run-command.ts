import { loadScenarios, ScenarioError } from '../scenario/load-scenario.js';
import { runScenarios } from '../chain/run-scenarios.js';
import { renderScenario, renderSummary } from '../report/text-report.js';
import { renderJson } from '../report/json-report.js';

/** `mailhop run <paths...> [--json]`: 0 all expectations held, 1 some failed, 2 bad input. */
export async function runCommand(paths: string[], opts: { json?: boolean; concurrency?: number }): Promise<number> {
  let loaded;
  try {
    loaded = await loadScenarios(paths);
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Print in file order as soon as the scenarios before it are done.
  const done: string[] = [];
  let printed = 0;
  const reports = await runScenarios(loaded, {
    concurrency: opts.concurrency,
    onReport: (report, i) => {
      if (opts.json) return;
      done[i] = renderScenario(report);
      while (done[printed] !== undefined) process.stdout.write(`${done[printed++]}\n\n`);
    },
  });
  if (opts.json) process.stdout.write(renderJson(reports));
  else process.stdout.write(`${renderSummary(reports)}\n`);
  return reports.every((r) => r.passed) ? 0 : 1;
}
