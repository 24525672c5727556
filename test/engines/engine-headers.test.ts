/**
 * The header walk through a real engine: the engine records no acceptance with Received headers of its own,
 * yet it signs its header with its hostname (`by exim.mailhop.test`), which its `hop-started` event names. A
 * recipient can trust that header, so the report must read it, not warn that the headers say nothing.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { renderScenario } from '../../harness/report/text-report.js';
import { availability, titled } from '../support/engine.js';

describe.skipIf(!availability('exim').usable)(titled("the Received header a real Exim wrote, in scenarios/real/exim-stripped-by-link-fault.yaml", 'exim'), () => {
  it("is trusted and read: client->exim is believed TLS (with esmtps (TLS1.3)), as it was; no false finding", async () => {
    const { scenario, file } = await loadScenarioFile('scenarios/real/exim-stripped-by-link-fault.yaml');
    await using chain = await startChain(scenario, { file });
    const report = await chain.run();
    const [stored] = chain.mailbox();
    expect(stored.raw.toString('latin1')).toMatch(/by exim\.mailhop\.test with esmtps\s+\(TLS1\.3\) tls TLS_/);
    expect(report.headers?.map(({ link, believed, actual, agrees, claim }) => ({ link, believed, actual, agrees, rule: claim?.rule }))).toEqual([
      { link: 'client->exim', believed: 'tls', actual: 'tls', agrees: true, rule: 'exim' },
      { link: 'exim->mailbox', believed: 'plain', actual: 'plain', agrees: true, rule: 'with' },
    ]);
    const text = renderScenario(report);
    expect(text).not.toContain('say nothing a recipient can trust');
    expect(text).toContain('Received headers of m1 match the wire on both links');
  }, 60_000);
});
