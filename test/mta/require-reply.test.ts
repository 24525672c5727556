/**
 * A `require` hop's reply to MAIL before STARTTLS (`inbound.requireReply`), on the wire as written, enhanced code
 * included: Exchange Online's `451 5.7.3` and Postfix's `450 4.7.1` make a sender defer, the default `530 5.7.0`
 * bounce. The sender here is mailhop's client going on in clear after an attacker stripped STARTTLS.
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';

function scenario(requireReply: string | undefined, attempts?: number[]): Scenario {
  return Scenario.parse({
    name: 'require-reply',
    hops: [{ id: 'relay', inbound: { starttls: 'require', ...(requireReply ? { requireReply } : {}) } }, { id: 'mailbox' }],
    links: [{ from: 'client', to: 'relay', fault: 'strip-starttls', ...(attempts ? { attempts } : {}) }],
    submit: { retry: ['5m'] },
    messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
    runFor: '20m',
  });
}

async function runIt(requireReply: string | undefined, attempts?: number[]) {
  await using chain = await startChain(scenario(requireReply, attempts));
  const report = await chain.run();
  const wire = chain.events().flatMap((e) => (e.kind === 'wire' && e.link === 'client->relay' ? [e.record] : []));
  return { report, mailReplies: wire.map((r) => r.replies.at(-2)) };
}

describe('the reply of a require hop to MAIL in clear', () => {
  it('sends Exchange Online\'s 451 5.7.3 as written; the client defers, and delivers over TLS once not stripped', async () => {
    const { report, mailReplies } = await runIt('451 5.7.3 STARTTLS is required to send mail', [1]);
    // The first attempt's reply to MAIL in clear; the second attempt's MAIL went inside TLS, unseen by the wire.
    expect(mailReplies[0]).toBe('451 5.7.3 STARTTLS is required to send mail');
    expect([report.outcome, report.links[0].verdict, report.endToEnd, report.links[0].attempts]).toEqual(['delivered', 'tls', 'encrypted', 2]);
  });

  it('keeps a message deferred under Postfix\'s 450 4.7.1 while every attempt is stripped', async () => {
    const { report, mailReplies } = await runIt('450 4.7.1 Session encryption is required');
    expect(new Set(mailReplies)).toEqual(new Set(['450 4.7.1 Session encryption is required']));
    expect([report.outcome, report.endToEnd, report.messages[0].stoppedAt?.reply]).toEqual([
      'deferred', 'held', { code: 450, enhanced: '4.7.1', text: '450 4.7.1 Session encryption is required' },
    ]);
  });

  it('bounces on the default 530 5.7.0', async () => {
    const { report, mailReplies } = await runIt(undefined);
    expect(mailReplies).toEqual(['530 5.7.0 Must issue a STARTTLS command first']);
    expect(report.outcome).toBe('rejected');
  });
});
