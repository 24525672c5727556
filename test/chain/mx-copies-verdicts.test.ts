/**
 * A message split per recipient domain (RFC 5321 §5.1) whose copies share an MX host: each copy is judged on its own
 * sessions, so one domain's DANE authentication (RFC 7672) is never credited to another domain's copy, and a copy that
 * waited is never called broken because another copy crossed in clear. A REQUIRETLS message (RFC 8689) routed by MX
 * is held to its promise like any other.
 */
import { describe, expect, it } from 'vitest';
import { runInline } from '../support/chain.js';

const sharedMx = {
  'partner.test': { dnssec: 'secure' as const, mx: [{ hop: 'mx', preference: 10 }], tlsa: { mx: [{ usage: 3 as const, selector: 1 as const, matchingType: 1 as const, matches: 'served-key' as const }] } },
  'other.test': { mx: [{ hop: 'mx', preference: 10 }] },
};
const toBoth = [{ from: 'alice@org.test', to: ['bob@partner.test', 'carol@other.test'] }];

describe('copies of a split message that share an MX host', () => {
  it('credit DANE only to the copy whose domain publishes it: the other copy crossed TLS that nobody authenticated', async () => {
    const run = await runInline({
      submit: { tls: 'verify' },
      hops: [{ id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', dane: 'honor' } }, { id: 'mx' }],
      dns: sharedMx,
      messages: toBoth,
    });
    const sessions = run.sessions('relay->mx');
    // Two connections crossed the link, both over TLS: one per copy, only partner.test's under DANE.
    expect(sessions.map((s) => [s.destination, s.tls?.version, s.tlsPolicy?.source]).sort()).toEqual([
      ['other.test', 'TLSv1.3', 'none'],
      ['partner.test', 'TLSv1.3', 'dane'],
    ].sort());
    expect(run.wire('relay->mx').every((w) => !w.plaintextData)).toBe(true);
    const [m1] = run.report.messages;
    const copy = (d: string) => m1.destinations!.find((c) => c.destination === d)!;
    expect([copy('partner.test').outcome, copy('partner.test').endToEnd]).toEqual(['delivered', 'encrypted-verified']);
    expect([copy('other.test').outcome, copy('other.test').endToEnd]).toEqual(['delivered', 'encrypted']);
    expect(copy('other.test').links.find((l) => l.link === 'relay->mx')?.verdict).toBe('tls');
    // The message as a whole: the least secure copy's crossing.
    expect(m1.links.find((l) => l.link === 'relay->mx')?.verdict).toBe('tls');
    expect(m1.endToEnd).toBe('encrypted');
  });

  it('call a copy that DANE held "held", although the other copy crossed in clear after the strip', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', dane: 'honor', retry: ['10m'] } }, { id: 'mx' }],
      dns: sharedMx,
      messages: toBoth,
      links: [{ from: 'relay', to: 'mx', fault: 'strip-starttls' }],
      runFor: '15m',
    });
    const inClear = run.wire('relay->mx').filter((w) => w.plaintextData);
    expect(inClear.flatMap((w) => w.plaintextMessageIds)).toEqual(['m1']);
    const clearSessions = run.sessions('relay->mx').filter((s) => s.contentSent && !s.contentSent.encrypted);
    expect(clearSessions.map((s) => s.destination)).toEqual(['other.test']);
    const [m1] = run.report.messages;
    const copy = (d: string) => m1.destinations!.find((c) => c.destination === d)!;
    expect([copy('partner.test').outcome, copy('partner.test').endToEnd, copy('partner.test').stoppedAt?.reply.enhanced]).toEqual(['deferred', 'held', '4.7.4']);
    expect([copy('other.test').outcome, copy('other.test').endToEnd]).toEqual(['delivered', 'broken']);
    expect(copy('partner.test').links.find((l) => l.link === 'relay->mx')?.verdict).toBe('refused');
  });
});

describe('a REQUIRETLS message routed by MX', () => {
  it('is a leak when it crosses to the MX host in clear, as it is without MX routing', async () => {
    const run = await runInline({
      submit: { tls: 'verify' },
      hops: [
        { id: 'relay', inbound: { requireTls: 'advertise' }, outbound: { tls: 'opportunistic', route: 'mx', requireTls: 'opportunistic' } },
        { id: 'mx', inbound: { starttls: 'none' } },
      ],
      dns: { 'partner.test': { mx: [{ hop: 'mx', preference: 10 }] } },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], requireTls: true }],
    });
    const [toMx] = run.wire('relay->mx');
    expect([toMx.plaintextData, toMx.plaintextMessageIds]).toEqual([true, ['m1']]);
    const [m1] = run.report.messages;
    expect([m1.outcome, m1.endToEnd]).toEqual(['delivered', 'leak']);
    expect(m1.destinations?.map((c) => [c.destination, c.endToEnd])).toEqual([['partner.test', 'leak']]);
    expect(m1.links.find((l) => l.link === 'relay->mx')?.leak).toBe(true);
    expect(run.report.passed).toBe(false);
  });

  it('under requireTls: enforce, is returned 5.7.10 without connecting when the MX answer is not DNSSEC-validated, and goes on when it is (RFC 8689 §4.2.1)', async () => {
    const chain = (dnssec: 'secure' | 'insecure') => runInline({
      submit: { tls: 'verify' },
      hops: [
        { id: 'relay', inbound: { requireTls: 'advertise' }, outbound: { tls: 'opportunistic', route: 'mx' } },
        { id: 'mx', inbound: { requireTls: 'advertise' } },
      ],
      dns: { 'partner.test': { dnssec, mx: [{ hop: 'mx', preference: 10 }] } },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], requireTls: true }],
    });
    const insecure = await chain('insecure');
    expect(insecure.wire('relay->mx')).toEqual([]);
    expect(insecure.dsns.map((d) => [d.hop, d.reply.enhanced, d.requireTls !== undefined])).toEqual([['relay', '5.7.10', true]]);
    expect([insecure.report.messages[0].outcome, insecure.report.messages[0].endToEnd]).toEqual(['bounced', 'held']);

    const secure = await chain('secure');
    const [session] = secure.sessions('relay->mx');
    expect([session.policy, session.requireTls]).toEqual(['verify', { advertised: true, sent: true }]);
    expect([secure.report.messages[0].outcome, secure.report.messages[0].endToEnd]).toEqual(['delivered', 'encrypted-verified']);
  });

  it('under requireTls: enforce, goes to an MX host that an MTA-STS policy in enforce mode names, though the zone is unsigned; a testing-mode policy vouches for nothing (RFC 8689 §4.2.1)', async () => {
    const chain = (mode: 'enforce' | 'testing') => runInline({
      submit: { tls: 'verify' },
      hops: [
        { id: 'relay', inbound: { requireTls: 'advertise' }, outbound: { tls: 'opportunistic', route: 'mx', mtaSts: 'honor' } },
        { id: 'mx', inbound: { requireTls: 'advertise' } },
      ],
      dns: { 'partner.test': { mx: [{ hop: 'mx', preference: 10 }], mtaSts: 'v=STSv1; id=20261207', stsPolicy: { mode, mx: ['*.mailhop.test'], maxAge: '7d' } } },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], requireTls: true }],
    });
    const enforced = await chain('enforce');
    const [session] = enforced.sessions('relay->mx');
    expect([session.tlsPolicy?.source, session.requireTls]).toEqual(['mta-sts', { advertised: true, sent: true }]);
    expect(enforced.wire('relay->mx').every((w) => !w.plaintextData)).toBe(true);
    expect([enforced.report.messages[0].outcome, enforced.report.messages[0].endToEnd]).toEqual(['delivered', 'encrypted-verified']);

    const testing = await chain('testing');
    expect(testing.wire('relay->mx')).toEqual([]);
    expect(testing.dsns.map((d) => [d.hop, d.reply.enhanced])).toEqual([['relay', '5.7.10']]);
    expect(testing.report.messages[0].outcome).toBe('bounced');
  });
});
