/**
 * The scenarios of examples/leaks/ fail on purpose: each shows a leak (content or a REQUIRETLS promise broken), and a
 * leak fails a run whatever `expect:` says. Every claim of theirs holds, their only failures are the leaks, and the
 * CLI exits 1 on them, while `mailhop run scenarios/` (no leak shipped there) passes.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';

const files = readdirSync('examples/leaks').filter((f) => f.endsWith('.yaml')).sort();

describe('examples/leaks', () => {
  it('holds at least one scenario, each expecting a leak', async () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) {
      const { scenario } = await loadScenarioFile(`examples/leaks/${f}`);
      expect([scenario.expect, ...scenario.messages.map((m) => m.expect)].some((e) => e?.endToEnd === 'leak'), f).toBe(true);
    }
  });

  it.for(files)('%s: every claim holds, and it fails with its leaks only', async (f) => {
    const { scenario, file } = await loadScenarioFile(`examples/leaks/${f}`);
    await using chain = await startChain(scenario, { file });
    const report = await chain.run();
    expect(report.expectations.filter((e) => !e.held)).toEqual([]);
    expect(report.failures.length).toBeGreaterThan(0);
    expect(report.failures.filter((x) => !/^m\d+ leaked on /.test(x))).toEqual([]);
    expect(report.passed).toBe(false);
  });
});
