import { writeFile } from 'node:fs/promises';
import { loadOrReport } from './load-or-report.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { startChain } from '../chain/chain.js';
import { APP_SUBMITS } from '../chain/run-scenarios.js';
import { isAppSubmit } from '../scenario/schema.js';
import { renderExplanation } from '../report/explain-report.js';
import { renderExplainPage } from '../report/html-explain-page.js';
import type { RuntimeName } from '../runtime/runtime.js';

/** Options of `mailhop explain`. */
export interface ExplainOptions {
  /** Also write the explanation as a self-contained HTML page to this file. */
  html?: string;
  /** Where hops and link proxies run (`--runtime`); default `MAILHOP_RUNTIME`, else in-process. */
  runtime?: RuntimeName;
}

/**
 * `mailhop explain <scenario> [--html file]`: runs one scenario and tells in plain language what
 * happened on each link and why; with `--html`, also writes the same explanation as an HTML page (with
 * the chain diagram). 0 when the scenario's claims held, 1 when one failed, 2 bad input or the page
 * could not be written, or the scenario's application under test submits (only a test of it can run it).
 */
export async function explainCommand(path: string, opts: ExplainOptions = {}): Promise<number> {
  const loaded = await loadOrReport(() => loadScenarioFile(path));
  if (!loaded) return 2;
  if (isAppSubmit(loaded.scenario.submit)) {
    // As `run` skips it: nothing would submit, so there would be nothing to explain.
    process.stderr.write(`mailhop explain: ${loaded.file}: ${APP_SUBMITS}\n`);
    return 2;
  }
  await using chain = await startChain(loaded.scenario, { file: loaded.file, ...(opts.runtime ? { runtime: opts.runtime } : {}) });
  const report = await chain.run();
  const events = chain.events();
  process.stdout.write(renderExplanation(loaded.scenario, report, events));
  if (opts.html) {
    try {
      await writeFile(opts.html, renderExplainPage({ report, events, scenario: loaded.scenario }));
      process.stderr.write(`wrote ${opts.html}\n`);
    } catch (err) {
      process.stderr.write(`mailhop explain: cannot write ${opts.html}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  return report.passed ? 0 : 1;
}
