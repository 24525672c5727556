/**
 * A vitest fixture that starts a chain for a test and always stops it, whether the test passes,
 * fails or throws (testcontainers' start/stop pairing as a `test.extend` fixture).
 */
import { test } from 'vitest';
import { startChain, type ChainOptions, type StartedChain } from '../chain/chain.js';
import { loadScenarioFile, loadScenarioText } from '../scenario/load-scenario.js';
import type { Scenario, ScenarioInput } from '../scenario/schema.js';
import { unavailableEngines } from '../engines/unavailable-engines.js';
import { diagnoseEngines } from '../engines/doctor.js';
import { skipReasonOf } from '../errors.js';

/** A scenario file path (relative to the working directory, usually the project root), or a scenario object. */
export type ScenarioSource = string | ScenarioInput | Scenario;

/** The fixtures `chainTest` adds: `scenario` (overridable with `test.override`) and the started `chain`. */
export interface ChainFixtures {
  scenario: ScenarioSource;
  chain: StartedChain;
}

async function load(source: ScenarioSource) {
  if (typeof source === 'string') return loadScenarioFile(source);
  // Through the loader, so an invalid object fails with every problem listed, like a file would.
  return loadScenarioText(JSON.stringify(source, null, 2), `inline scenario ${'name' in source ? source.name : ''}`.trim());
}

/**
 * A `test` whose `chain` fixture is the scenario's started chain, stopped after the test (ports freed).
 * The chain starts only in tests that use `chain`; nothing is sent until the test calls `run()` or `send()`.
 * A scenario that needs a real MTA this machine lacks skips the test with the reason (vitest's
 * `context.skip(note)`), as `mailhop run` skips it: never a failure, never a silent pass. So does a chain
 * that cannot start for a reason the code table marks as "this machine cannot run it" (`ENOENGINE`,
 * `ENORUNTIME`: no container engine for `runtime: 'containers'`; errors.ts).
 * @throws ScenarioError (in the test) when the scenario is invalid; MailhopError when the chain cannot start
 *   for any other reason (`EBIND`, `ELOOPBACK`, `ESTART`, ...).
 * @example
 * const test = chainTest('scenarios/all-hops-offer-encrypted.yaml');
 * test('encrypted', async ({ chain }) => {
 *   await chain.run();
 *   await expect(chain).toHoldTlsEndToEnd();
 * });
 */
export function chainTest(scenario: ScenarioSource, options: Omit<ChainOptions, 'file'> = {}) {
  return test.extend<ChainFixtures>({
    scenario,
    chain: async ({ scenario: source, skip }, use) => {
      const { scenario: plan, file } = await load(source);
      const missing = unavailableEngines(plan, diagnoseEngines);
      if (missing) skip(`${plan.name}: ${missing}`);
      // An inline scenario has no file: its reports and JUnit entries say none (its errors still name it by its label).
      const chain = await startChain(plan, { ...options, file: typeof source === 'string' ? file : undefined }).catch((err: unknown) => {
        const why = skipReasonOf(err);
        if (why) skip(`${plan.name}: ${why}`);
        throw err;
      });
      try {
        await use(chain);
      } finally {
        await chain.stop();
      }
    },
  });
}
