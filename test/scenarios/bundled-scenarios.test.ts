import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { unavailableEngines } from '../../harness/engines/unavailable-engines.js';
import { isAppSubmit } from '../../harness/scenario/submit.js';

// Every scenario shipped in scenarios/ (and its subfolders, e.g. scenarios/presets/) is also a test: it must run
// and every expectation must hold. Paths are relative to scenarios/.
const files = (readdirSync('scenarios', { recursive: true }) as string[])
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('bundled scenarios', () => {
  it('ships at least 12 scenarios, each with expectations', async () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) expect((await loadScenarioFile(`scenarios/${f}`)).scenario.expect).toBeDefined();
  });

  it.concurrent.for(files)('%s holds its expectations', async (f, context) => {
    const { scenario, file } = await loadScenarioFile(`scenarios/${f}`);
    // Scenarios with real MTAs (scenarios/real/) need scripts/install-real-mtas.sh; without it they are skipped, with the reason.
    const missing = unavailableEngines(scenario);
    if (missing) return context.skip(missing);
    // The application under test sends (scenarios/clients/): test/clients/ runs each with real SMTP clients.
    if (isAppSubmit(scenario.submit)) return context.skip('the application submits: its tests drive it (test/clients/, test/vitest/app-sender-example.test.ts)');
    await using chain = await startChain(scenario, { file });
    const report = await chain.run();
    // Scenarios that fail on purpose live in examples/leaks/ (leak-examples.test.ts): every bundled one passes.
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    // Accounting: every submitted message ends delivered, deferred (held somewhere) or bounced, exactly once.
    for (const m of report.messages) {
      const deliveries = chain.mailbox().filter((x) => x.id === m.messageId).length;
      // A message a hop routing by MX split per recipient domain is delivered once per delivered copy.
      const copies = m.destinations ? m.destinations.filter((d) => d.outcome === 'delivered').length : m.outcome === 'delivered' ? 1 : 0;
      expect(deliveries).toBe(copies);
    }
  });
});
