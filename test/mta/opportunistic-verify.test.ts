/**
 * `submit: { tls: opportunistic-verify }`, most client libraries' default: STARTTLS when listed, certificate checked,
 * any failure defers (no plaintext), no STARTTLS listed means plaintext. Judged on the wire: `tls-verified` when it
 * holds, held (never in clear) against an expired certificate or a 454, `plain` without STARTTLS, `stripped` when an
 * attacker removes it (what this default cannot see).
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';

async function runWith(relay: NonNullable<ScenarioInput['hops']>[number], links: ScenarioInput['links'] = []) {
  const scenario = Scenario.parse({
    name: 'opportunistic-verify', submit: { tls: 'opportunistic-verify', retry: ['5m'] }, runFor: '12m',
    hops: [relay, { id: 'mailbox' }], links, messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
  });
  await using chain = await startChain(scenario);
  const report = await chain.run();
  const wire = chain.events().flatMap((e) => (e.kind === 'wire' && e.link === 'client->relay' ? [e.record] : []));
  const m = report.messages[0];
  return { m, wire, report, summary: [m.outcome, m.links[0].verdict, m.endToEnd, m.links[0].sessions] };
}

describe('opportunistic-verify on the submission link', () => {
  it('is tls-verified against a valid certificate', async () => {
    const { summary, wire } = await runWith({ id: 'relay' });
    expect(summary).toEqual(['delivered', 'tls-verified', 'encrypted', 1]);
    expect(wire[0].handshake).toBe('established');
  });

  it('holds the message against an expired certificate, never in clear, on every attempt', async () => {
    const { summary, wire, m } = await runWith({ id: 'relay', inbound: { cert: 'expired' } });
    expect(summary).toEqual(['deferred', 'refused', 'held', 3]);
    expect(wire.map((r) => [r.handshake, r.plaintextData])).toEqual([['established', false], ['established', false], ['established', false]]);
    expect(m.links[0].crossedInClear).toBe(false);
  });

  it('holds the message when STARTTLS is answered 454', async () => {
    const { summary, wire } = await runWith({ id: 'relay', inbound: { starttls: 'fake-454' } });
    expect(summary).toEqual(['deferred', 'refused', 'held', 3]);
    expect(wire.every((r) => r.starttlsReply?.code === 454 && !r.plaintextData)).toBe(true);
  });

  it('submits in plaintext when STARTTLS is not offered: plain, no leak', async () => {
    const { summary, report } = await runWith({ id: 'relay', inbound: { starttls: 'none' } });
    expect(summary).toEqual(['delivered', 'plain', 'broken', 1]);
    expect(report.messages[0].links[0].leak).toBe(false);
    expect(report.failures).toEqual([]);
  });

  it('goes on in clear when an attacker strips STARTTLS: stripped (the weakness of this default)', async () => {
    const { summary } = await runWith({ id: 'relay' }, [{ from: 'client', to: 'relay', fault: 'strip-starttls' }]);
    expect(summary).toEqual(['delivered', 'stripped', 'broken', 1]);
  });
});
