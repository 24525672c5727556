/**
 * A hop that routes by MX (`outbound.route: mx`) looks each recipient domain up in the run's DNS and tries its MX
 * hosts in preference order (RFC 5321 §5.1), each over its own link and link proxy; a message to several domains
 * is split per destination, each copy with its own outcome. Judged on what crossed each link's wire.
 */
import { describe, expect, it } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import type { DnsEvent, DeliveredEvent } from '../../harness/trace/events.js';

const dnsEvents = (run: Awaited<ReturnType<typeof runInline>>) => run.events.filter((e): e is DnsEvent => e.kind === 'dns');
const deliveredAt = (run: Awaited<ReturnType<typeof runInline>>) =>
  run.events.filter((e): e is DeliveredEvent => e.kind === 'delivered').map((e) => `${e.messageId}@${e.hop}:${e.destination}`);

describe('MX routing', () => {
  it('falls to the backup MX, which has no STARTTLS, when an attacker cuts the primary\'s STARTTLS: the classic downgrade', async () => {
    const run = await runInline({
      hops: [
        { id: 'relay', outbound: { tls: 'opportunistic', route: 'mx' } },
        { id: 'backup', inbound: { starttls: 'none' } },
        { id: 'primary' },
      ],
      // Listed backup first: the preference, not the order, decides.
      dns: { 'partner.test': { mx: [{ hop: 'backup', preference: 20 }, { hop: 'primary', preference: 10 }] } },
      links: [{ from: 'relay', to: 'primary', fault: 'reset', after: 'STARTTLS' }],
    });
    expect(dnsEvents(run).map((e) => [e.name, e.type, e.outcome, e.ad, e.answers])).toEqual([
      ['partner.test', 'MX', 'answer', false, ['20 backup.mailhop.test', '10 primary.mailhop.test']],
    ]);
    const [toPrimary] = run.wire('relay->primary');
    expect(verbs(toPrimary)).toEqual(['EHLO', 'STARTTLS']);
    expect(toPrimary.faults.map((f) => f.fault)).toEqual(['reset']);
    expect(toPrimary.plaintextData).toBe(false);
    const [toBackup] = run.wire('relay->backup');
    expect(verbs(toBackup)).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(toBackup.plaintextMessageIds).toEqual(['m1']);
    expect(toPrimary.openedAt).toBeLessThanOrEqual(toBackup.openedAt);
    expect(deliveredAt(run)).toEqual(['m1@backup:partner.test']);
    const m1 = run.report.messages[0];
    expect(m1.links.map((l) => [l.link, l.verdict])).toEqual([['client->relay', 'tls'], ['relay->backup', 'plain'], ['relay->primary', 'refused']]);
    expect([m1.outcome, m1.endToEnd]).toEqual(['delivered', 'broken']);
    expect(run.report.failures).toEqual([]);
  });

  it('splits a message per recipient domain: each copy crosses its own MX link with only its recipients, and has its own outcome', async () => {
    const run = await runInline({
      hops: [
        { id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', retry: ['10m'] } },
        { id: 'mx-a' },
        { id: 'mx-b' },
      ],
      dns: {
        'partner.test': { dnssec: 'secure', mx: [{ hop: 'mx-a', preference: 10 }] },
        'other.test': { dnssec: 'servfail', mx: [{ hop: 'mx-b', preference: 10 }] },
      },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test', 'carol@other.test', 'dave@Partner.test'] }],
      runFor: '15m',
    });
    const [toA] = run.wire('relay->mx-a');
    expect([toA.tls?.version, toA.plaintextData]).toEqual(['TLSv1.3', false]);
    const [session] = run.sessions('relay->mx-a');
    expect(session.transcript.filter((l) => l.text.startsWith('RCPT')).map((l) => l.text)).toEqual(['RCPT TO:<bob@partner.test>', 'RCPT TO:<dave@Partner.test>']);
    expect(run.wire('relay->mx-b')).toEqual([]);
    expect(deliveredAt(run)).toEqual(['m1@mx-a:partner.test']);
    expect(run.mailbox.map((m) => m.to)).toEqual([['bob@partner.test', 'dave@Partner.test']]);
    // The SERVFAIL copy is looked up again at its retry, and waits.
    expect(dnsEvents(run).map((e) => [e.destination, e.outcome, e.ad])).toEqual([
      ['partner.test', 'answer', true], ['other.test', 'servfail', false], ['other.test', 'servfail', false],
    ]);
    const m1 = run.report.messages[0];
    // Each copy's own links: the shared ones up to the router, then its MX link only.
    expect(m1.destinations?.map((c) => c.links.map((l) => [l.link, l.verdict]))).toEqual([
      [['client->relay', 'tls'], ['relay->mx-a', 'tls']],
      [['client->relay', 'tls'], ['relay->mx-b', 'none']],
    ]);
    expect(m1.destinations?.map(({ links: _, ...copy }) => copy)).toEqual([
      { destination: 'partner.test', outcome: 'delivered', endToEnd: 'encrypted' },
      {
        destination: 'other.test', outcome: 'deferred', endToEnd: 'held',
        stoppedAt: { hop: 'relay', reply: { code: 451, enhanced: '4.4.3', text: '451 4.4.3 MX lookup for other.test failed: SERVFAIL' } },
      },
    ]);
    // One copy delivered, one waiting: the message as a whole is neither (each copy's outcome is above).
    expect([m1.outcome, m1.endToEnd]).toEqual(['mixed', 'mixed']);
    expect(run.report.failures).toEqual([]);
  });

  it('bounces a copy for a domain with no MX (RFC 5321 §5.1), with a DSN, and delivers the others', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { route: 'mx' } }, { id: 'mx-a' }],
      dns: { 'partner.test': { mx: [{ hop: 'mx-a', preference: 10 }] }, 'empty.test': {} },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test', 'eve@empty.test'] }],
    });
    expect(deliveredAt(run)).toEqual(['m1@mx-a:partner.test']);
    expect(run.dsns.map((d) => [d.hop, d.to, d.reply.text])).toEqual([
      ['relay', 'alice@org.test', '550 5.1.2 empty.test: no MX records (DNS answered no data)'],
    ]);
    expect(run.report.messages[0].destinations?.map((d) => [d.destination, d.outcome])).toEqual([['partner.test', 'delivered'], ['empty.test', 'bounced']]);
    expect(run.report.messages[0].outcome).toBe('mixed');
    expect(run.report.failures).toEqual([]);
  });

  it('keeps a validated answer for its TTL, as a validating resolver\'s cache does: the next message within 5 minutes is routed without asking again', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { route: 'mx' } }, { id: 'mx-a' }],
      dns: { 'partner.test': { dnssec: 'secure', mx: [{ hop: 'mx-a', preference: 10 }] } },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }, { from: 'alice@org.test', to: ['carol@partner.test'] }],
    });
    expect(dnsEvents(run).map((e) => [e.messageId, e.name, e.ad, e.cached ?? false])).toEqual([
      ['m1', 'partner.test', true, false],
      ['m2', 'partner.test', true, true],
    ]);
    expect(deliveredAt(run)).toEqual(['m1@mx-a:partner.test', 'm2@mx-a:partner.test']);
  });

  it('keeps a lookup that timed out for 5 minutes (RFC 2308 §7.1), so retries within them cost no real wait', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { route: 'mx', retry: ['1m'] } }, { id: 'mx-a' }],
      dns: { 'silent.test': { dnssec: 'timeout', mx: [{ hop: 'mx-a', preference: 10 }] } },
      messages: [{ from: 'alice@org.test', to: ['bob@silent.test'] }],
      runFor: '7m',
    });
    // An attempt a minute for 7 minutes: the server was asked (and waited on) once per 5 minutes of virtual time, every
    // other attempt took the kept failure.
    const lookups = dnsEvents(run);
    expect(lookups.every((e) => e.outcome === 'timeout')).toBe(true);
    expect(lookups.length).toBeGreaterThanOrEqual(7);
    expect(lookups.filter((e) => !e.cached).length).toBe(2);
    expect(run.report.messages[0].destinations?.map((d) => [d.outcome, d.stoppedAt?.reply.text])).toEqual([['deferred', '451 4.4.3 MX lookup for silent.test failed: no answer']]);
  });

  it('defers, not bounces, a copy for a domain the run\'s DNS has no zone for: REFUSED is a failure, not "no MX"', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { route: 'mx', retry: ['10m'] } }, { id: 'mx-a' }],
      dns: { 'partner.test': { mx: [{ hop: 'mx-a', preference: 10 }] } },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test', 'dave@typo.test'] }],
      runFor: '5m',
    });
    expect(dnsEvents(run).map((e) => [e.name, e.outcome])).toEqual([['partner.test', 'answer'], ['typo.test', 'refused']]);
    expect(run.dsns).toEqual([]);
    expect(run.report.messages[0].destinations?.map((d) => [d.destination, d.outcome, d.stoppedAt?.reply.text])).toEqual([
      ['partner.test', 'delivered', undefined],
      ['typo.test', 'deferred', "451 4.4.3 MX lookup for typo.test failed: REFUSED (the run's DNS has no zone for typo.test)"],
    ]);
  });

  it('looks a Unicode recipient domain up by its A-label (RFC 5890), as DNS holds it, and delivers', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { route: 'mx' } }, { id: 'mx-a' }],
      dns: { 'xn--fsqu00a.test': { mx: [{ hop: 'mx-a', preference: 10 }] } },
      messages: [{ from: 'alice@org.test', to: ['用户@例子.test'] }],
    });
    expect(dnsEvents(run).map((e) => [e.name, e.outcome])).toEqual([['xn--fsqu00a.test', 'answer']]);
    expect(deliveredAt(run)).toEqual(['m1@mx-a:xn--fsqu00a.test']);
  });
});
