/**
 * The scenarios of examples/leaks/ fail on purpose: each shows a leak (content or a REQUIRETLS promise broken), or a
 * client that believed replies injected before its TLS handshake, and either fails a run whatever `expect:` says. Every claim of theirs holds, their only failures are the leaks, and the
 * CLI exits 1 on them, while `mailhop run scenarios/` (no leak shipped there) passes.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import type { Scenario } from '../../harness/scenario/schema.js';
import { BELIEVED_REPLY } from '../../harness/verdict/believed-replies.js';

const files = readdirSync('examples/leaks').filter((f) => f.endsWith('.yaml')).sort();

/** A client that keeps bytes read before its TLS handshake on purpose (`starttlsTrailingData: keep`): it fails with the replies it believed. */
const believes = (s: Scenario) => 'starttlsTrailingData' in s.submit && s.submit.starttlsTrailingData === 'keep';
/** The failures the scenario shows on purpose: its leaks, or the injected replies its client believed. */
const deliberate = (s: Scenario) => (x: string) => (believes(s) ? /^m\d+ on /.test(x) && x.includes(`: ${BELIEVED_REPLY}: `) : /^m\d+ leaked on /.test(x));

describe('examples/leaks', () => {
  it('holds at least one scenario, each expecting a leak or a believing client', async () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) {
      const { scenario } = await loadScenarioFile(`examples/leaks/${f}`);
      expect(believes(scenario) || [scenario.expect, ...scenario.messages.map((m) => m.expect)].some((e) => e?.endToEnd === 'leak'), f).toBe(true);
    }
  });

  it.for(files)('%s: every claim holds, and it fails with its leaks only', async (f) => {
    const { scenario, file } = await loadScenarioFile(`examples/leaks/${f}`);
    await using chain = await startChain(scenario, { file });
    const report = await chain.run();
    expect(report.expectations.filter((e) => !e.held)).toEqual([]);
    expect(report.failures.length).toBeGreaterThan(0);
    expect(report.failures.filter((x) => !deliberate(scenario)(x))).toEqual([]);
    expect(report.passed).toBe(false);
  });
});
