import { describe, it, expect } from 'vitest';
import { startChain, loadScenarioFile } from '../../harness/index.js';
import { probeEngine } from '../../harness/runtime/engine-probe.js';

const engine = await probeEngine();
describe.skipIf(!engine.ok)(`in containers${engine.ok ? '' : ` (skipped: ${engine.reason})`}`, () => {
  it('preserves inbound TLS, every hop in its own container', async () => {
    const { scenario } = await loadScenarioFile('scenarios/messagelabs-preserves-inbound-tls.yaml');
    await using chain = await startChain(scenario, { runtime: 'containers' });
    expect((await chain.run()).passed).toBe(true);
  });
});
