/**
 * The header walk through a real engine: the engine records no acceptance with Received headers of its own,
 * yet it signs its header with its hostname (`by exim.mailhop.test`), which its `hop-started` event names. A
 * recipient can trust that header, so the report must read it, not warn that the headers say nothing.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { renderScenario } from '../../harness/report/text-report.js';
import { headerValues } from '../../harness/mta/received-header.js';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { runInline } from '../support/chain.js';
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

/**
 * Every real engine's own Received header is trusted by the walk, wherever the engine sits: in the middle
 * (Sendmail, OpenSMTPD: they cannot be the final mailbox) and as the final mailbox (Postfix, Exim), where the
 * headers a recipient reads are in the Maildir file the engine wrote, not in its log.
 */
describe('the header walk through a real engine', () => {
  const cases: ReadonlyArray<[RealEngineName, 'final mailbox' | 'middle hop', string]> = [
    ['postfix', 'final mailbox', 'postfix'],
    ['exim', 'final mailbox', 'exim'],
    ['sendmail', 'middle hop', 'sendmail'],
    // Inbound plaintext only (docs/engines.md#opensmtpd): its `with ESMTP` is read by the RFC 3848 keyword.
    ['opensmtpd', 'middle hop', 'with'],
  ];
  for (const [engine, where, rule] of cases) {
    it.skipIf(!availability(engine).usable)(titled(`${engine} as the ${where}: its header is trusted and read, every link's claim matches the wire`, engine), async () => {
      const inbound = engine === 'opensmtpd' ? { inbound: { starttls: 'none' } } : {};
      const hops = [{ id: 'gateway' }, { id: 'eng', engine, ...inbound }, ...(where === 'middle hop' ? [{ id: 'mailbox' }] : [])];
      const run = await runInline({ name: 'engine-header-walk', hops } as Partial<ScenarioInput>);
      expect(run.report.outcome).toBe('delivered');
      const [stored] = run.mailbox;
      const ours = headerValues(stored.raw, 'Received').find((h) => /\bby eng\.mailhop\.test\b/.test(h));
      expect(ours).toBeDefined();
      const accounts = run.report.headers!.map(({ link, believed, actual, agrees, claim, header }) => ({ link, believed, actual, agrees, rule: claim?.rule, header }));
      const wire = Object.fromEntries(run.report.links.map((l) => [l.link, l.verdict === 'tls' ? 'tls' : 'plain']));
      expect(accounts.map(({ header: _, ...a }) => a)).toEqual(
        run.report.links.map((l) => ({ link: l.link, believed: wire[l.link], actual: wire[l.link], agrees: true, rule: l.link === 'gateway->eng' ? rule : 'postfix' })),
      );
      expect(accounts.find((a) => a.link === 'gateway->eng')?.header).toBe(ours);
      expect(renderScenario(run.report)).toContain(`Received headers of m1 match the wire on ${hops.length === 2 ? 'both links' : 'all 3 links'}`);
    }, 60_000);
  }
});
