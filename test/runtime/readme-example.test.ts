import { describe, it, expect } from 'vitest';
import { startChain, loadScenarioFile, probeEngine } from '../../harness/index.js'; // in your project: from 'mailhop'

const engine = await probeEngine();
describe.skipIf(!engine.ok)(`in containers${engine.ok ? '' : ` (skipped: ${engine.reason})`}`, () => {
  it('preserves inbound TLS, every hop in its own container', async () => {
    const { scenario } = await loadScenarioFile('scenarios/messagelabs-preserves-inbound-tls.yaml');
    await using chain = await startChain(scenario, { runtime: 'containers' });
    expect((await chain.run()).passed).toBe(true);
  });
});
