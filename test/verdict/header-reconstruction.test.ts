import { describe, expect, it } from 'vitest';
import { runInline } from '../support/chain.js';
import { trustedHeaders, type KnownHop } from '../../harness/verdict/header-reconstruction.js';
import { parseReceived } from '../../harness/verdict/received-claim.js';
import { judgeScenario } from '../../harness/verdict/judge-scenario.js';
import { FinalVerdicts } from '../../harness/verdict/final-verdicts.js';
import { AccountingTally } from '../../harness/verdict/accounting.js';
import type { ReceivedRecord, TraceEvent } from '../../harness/trace/events.js';
import { chainOf, syntheticTrace } from '../support/synthetic-trace.js';

// "What would the recipient believe?" (docs/behaviour.md#E-headers-agree): the final mailbox's Received headers against
// what the witnesses say crossed each link.

const ENULL_MAILBOX = { id: 'mailbox', inbound: { tls: { maxVersion: 'TLSv1.2', ciphers: 'eNULL:@SECLEVEL=0' } } } as const;

describe('header reconstruction in the report', () => {
  it('an eNULL session says ESMTPS: the recipient believes TLS, the link was plaintext, and the report says they disagree', async () => {
    const run = await runInline({ hops: [{ id: 'relay', outbound: { tlsCiphers: 'ALL:eNULL:@SECLEVEL=0' } }, ENULL_MAILBOX] });
    expect(run.report.links[1].verdict).toBe('downgraded');
    expect(run.report.headers?.map(({ link, believed, actual, agrees }) => ({ link, believed, actual, agrees }))).toEqual([
      { link: 'client->relay', believed: 'tls', actual: 'tls', agrees: true },
      { link: 'relay->mailbox', believed: 'tls', actual: 'plain', agrees: false },
    ]);
    const misled = run.report.headers![1];
    expect(misled.claim).toEqual({ rule: 'postfix', protocol: 'ESMTPS', version: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_NULL_SHA' });
    expect(misled.header).toMatch(/^from relay\.mailhop\.test .* by mailbox\.mailhop\.test \(mailhop\) with ESMTPS id /);
  });

  it('a MessageLabs header without any `with` clause is still read, from its (using ...) comment, and chained through its `from [ip]`', async () => {
    const run = await runInline({
      hops: [
        { id: 'relay', preset: 'postfix' },
        { id: 'gateway', preset: 'messagelabs' },
        { id: 'mailbox', inbound: { starttls: 'fake-454' } },
      ],
    });
    const gatewayHeader = run.mailbox[0].raw.toString('latin1').split('\r\nReceived: ')[1];
    expect(gatewayHeader).toMatch(/^from \[127\.0\.0\.1\] \(using TLSv1\.3 with cipher TLS_AES_256_GCM_SHA384 \(256 bits\)\)\r\n\tby server-\d+\.bemta-\d+\.messagelabs\.com id /);
    expect(gatewayHeader.split('\r\nX-Mailhop-Id')[0]).not.toMatch(/\bwith (E?SMTP|esmtp)/i);
    expect(run.report.headers?.map(({ link, believed, actual, agrees, claim }) => ({ link, believed, actual, agrees, rule: claim?.rule }))).toEqual([
      { link: 'client->relay', believed: 'tls', actual: 'tls', agrees: true, rule: 'postfix' },
      { link: 'relay->gateway', believed: 'tls', actual: 'tls', agrees: true, rule: 'messagelabs' },
      { link: 'gateway->mailbox', believed: 'plain', actual: 'plain', agrees: true, rule: 'with' },
    ]);
  });

  it('a MessageLabs header of a plaintext session has no comment: read as plaintext, not as unknown', () => {
    expect(parseReceived('from [127.0.0.1] by server-3.bemta-7.messagelabs.com id 12/34-56789-ABCDEF01; Sun, 29 Nov 2026 20:07:20 +0000')).toMatchObject({
      believed: 'plain', rule: 'messagelabs', from: { ip: '127.0.0.1' }, by: 'server-3.bemta-7.messagelabs.com',
    });
  });
});

describe('trust walk', () => {
  const hops: KnownHop[] = [
    { id: 'relay', names: ['relay.mailhop.test'] },
    { id: 'gateway', names: ['gateway.mailhop.test', 'server-1.bemta-2.messagelabs.com'] },
    { id: 'mailbox', names: ['mailbox.mailhop.test'] },
  ];
  const mailbox = 'from gateway.mailhop.test (unknown [127.0.0.1]) by mailbox.mailhop.test (Postfix) with ESMTP id A; date';
  const gateway = 'from [127.0.0.1] (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits)) by server-1.bemta-2.messagelabs.com id 1; date';
  const relay = 'from client.mailhop.test (unknown [127.0.0.1]) by relay.mailhop.test (Postfix) with ESMTPS id B; date';

  it('trusts headers top-down, each signed by the hop before the last, and names their links', () => {
    expect(trustedHeaders([mailbox, gateway, relay], hops).map((t) => [t.link, t.claim.believed])).toEqual([
      ['gateway->mailbox', 'plain'], ['relay->gateway', 'tls'], ['client->relay', 'tls'],
    ]);
  });

  it('stops at a header forged below the chain (A-received-forgery): claimed, not observed', () => {
    const forged = 'from evil.example (evil.example [192.0.2.1]) by relay.mailhop.test (Postfix) with ESMTPS id F; date';
    expect(trustedHeaders([mailbox, gateway, relay, forged], hops)).toHaveLength(3);
  });

  it('stops where `from` does not chain to the next `by`, and trusts nothing not signed by the final hop', () => {
    const detour = 'from other.mailhop.test (unknown [127.0.0.1]) by mailbox.mailhop.test (Postfix) with ESMTPS id A; date';
    expect(trustedHeaders([detour, gateway, relay], hops).map((t) => t.link)).toEqual(['gateway->mailbox']);
    expect(trustedHeaders([relay, mailbox], hops)).toEqual([]);
  });
});

describe('a final mailbox that stores its headers after it accepts (a real engine writes its Maildir file later)', () => {
  /** The trace with the final copy's headers on the `delivered` event instead of the `accepted` one, as a real Postfix or Exim records them. */
  function onDelivered(events: readonly TraceEvent[]): TraceEvent[] {
    const headers = new Map<string, ReceivedRecord>();
    return events.map((e) => {
      if (e.kind === 'accepted' && e.received) {
        headers.set(e.messageId, e.received);
        const { received: _, ...accepted } = e;
        return accepted;
      }
      return e.kind === 'delivered' ? { ...e, received: headers.get(e.messageId) } : e;
    });
  }

  it('is walked as one whose acceptance carries them: in the whole trace, and after its messages were judged and forgotten', () => {
    const scenario = chainOf(3);
    const events = syntheticTrace(scenario, { messages: 300, plainEvery: 7 });
    const expected = judgeScenario(scenario, events, { held: [], dsns: [] }).headers!;
    expect(expected).toHaveLength(300 * 3);
    expect(expected.filter((a) => a.believed === 'plain')).toHaveLength(42); // every 7th message's last link
    expect(judgeScenario(scenario, onDelivered(events), { held: [], dsns: [] }).headers).toEqual(expected);

    const tally = new AccountingTally();
    const finals = new FinalVerdicts(scenario, { keep: 50, tally, onDrop: () => {} });
    for (const e of onDelivered(events)) {
      tally.observe(e);
      finals.observe(e);
    }
    expect(finals.forgotten).toBeGreaterThan(200);
    const kept = judgeScenario(scenario, finals.index, { held: [], dsns: [], accounting: tally.problems([], 'h3'), finished: finals }).headers!;
    expect(kept.map(({ header: _, ...a }) => a)).toEqual(expected.map(({ header: _, ...a }) => a));
  });
});
