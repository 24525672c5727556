import { describe, it, expect } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { probeEngine } from '../../harness/runtime/engine-probe.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';

// The container suite: every hop and every link proxy in its own container (scripts/container-test-setup.sh
// starts an engine and builds mailhop:local). Without an engine it is skipped, and the title says why.
const engine = await probeEngine(1000);

/** What a verdict consists of: the same in both runtimes. */
const verdicts = (r: ScenarioReport) => ({
  passed: r.passed,
  failures: r.failures,
  outcome: r.outcome,
  endToEnd: r.endToEnd,
  links: r.links.map((l) => [l.link, l.verdict]),
});

const core = [
  'messagelabs-preserves-inbound-tls',
  'starttls-stripped-on-the-wire-opportunistic-goes-plain',
  'messagelabs-plaintext-inbound-not-upgraded',
  'all-hops-verify-encrypted-verified',
  'killed-handshake-then-strip-beats-sendmail',
  'interception-caught-by-verify',
  'postfix-plaintext-after-five-minutes',
];

describe.skipIf(!engine.ok)(`container runtime${engine.ok ? '' : ` (skipped: ${engine.reason})`}`, () => {
  it.for(core)('%s: every hop in its own container, same verdicts as in-process', { timeout: 90_000 }, async (name) => {
    const { scenario, file } = await loadScenarioFile(`scenarios/${name}.yaml`);
    let inProcess: ScenarioReport;
    {
      await using chain = await startChain(scenario, { file });
      inProcess = await chain.run();
    }
    await using chain = await startChain(scenario, { file, runtime: 'containers' });
    // Each hop and proxy listens on its own loopback address (a container each).
    const addresses = chain.hops.flatMap((h) => [h.server.host, h.proxy.host]);
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(addresses.every((a) => a.startsWith('127.77.'))).toBe(true);
    const inContainers = await chain.run();
    expect(verdicts(inContainers)).toEqual(verdicts(inProcess));
    expect(inContainers.passed).toBe(true);
  });
});
