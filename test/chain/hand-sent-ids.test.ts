/**
 * `mailhop up` (a chain with `stampMissingId`) does not believe an `X-Mailhop-Id` it did not issue: two messages
 * sent by hand with the same header get distinct ids at the first hop, keep their own header as
 * `X-Mailhop-Original-Id`, and are both delivered and counted; ids from chain.send() are kept. A claim to the id
 * of a message queued elsewhere: forged-ids.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { headerValue, headerValues } from '../../harness/mta/received-header.js';
import { sendByHand } from '../support/dialog.js';

const scenario = Scenario.parse({
  name: 'hand-sent-ids',
  hops: [{ id: 'sendmail' }, { id: 'gateway' }, { id: 'mailbox' }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
});

describe('ids of mail sent by hand (mailhop up)', () => {
  it('gives two hand-sent messages that both say X-Mailhop-Id: m1 distinct ids; both are delivered and counted', async () => {
    await using chain = await startChain(scenario, { stampMissingId: true });
    const port = chain.hops[0].proxy.port;
    const first = await sendByHand(port, 'X-Mailhop-Id: m1\r\nSubject: first\r\n\r\none');
    const second = await sendByHand(port, 'X-Mailhop-Id: m1\r\nSubject: second\r\n\r\ntwo');
    expect(first.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);
    expect(second.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);
    expect(await chain.settle()).toBe('done');

    const mailbox = chain.mailbox();
    expect(mailbox.map((m) => [m.id, headerValue(m.raw, 'Subject')])).toEqual([['m1', 'first'], ['m2', 'second']]);
    for (const m of mailbox) {
      // One X-Mailhop-Id (the chain's), the sender's own kept under another name.
      expect(headerValues(m.raw, 'X-Mailhop-Id')).toEqual([m.id]);
      expect(headerValues(m.raw, 'X-Mailhop-Original-Id')).toEqual(['m1']);
    }
    const report = chain.report();
    expect(report.messages.map((m) => [m.messageId, m.outcome])).toEqual([['m1', 'delivered'], ['m2', 'delivered']]);
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('keeps the ids chain.send() issued, stamps mail without a header, and re-ids a replay of a delivered message', async () => {
    await using chain = await startChain(scenario, { stampMissingId: true });
    const sent = await chain.send({ from: 'alice@org.test', to: ['bob@partner.test'], subject: 'api', body: 'x' });
    await chain.settle();
    const port = chain.hops[0].proxy.port;
    await sendByHand(port, 'Subject: no header\r\n\r\nthree');
    // The delivered copy of m1, Received headers and all, sent again by hand.
    const replay = chain.mailbox()[0].raw.toString('utf8').replace(/\r\n$/, '');
    await sendByHand(port, replay);
    await chain.settle();

    expect(sent).toBe('m1');
    expect(chain.mailbox().map((m) => [m.id, headerValue(m.raw, 'Subject'), headerValue(m.raw, 'X-Mailhop-Original-Id') ?? null])).toEqual([
      ['m1', 'api', null],
      ['m2', 'no header', null],
      ['m3', 'api', 'm1'],
    ]);
    const report = chain.report();
    expect(report.messages.map((m) => [m.messageId, m.outcome])).toEqual([['m1', 'delivered'], ['m2', 'delivered'], ['m3', 'delivered']]);
    expect(report.failures).toEqual([]);
  });

  it('without stampMissingId (mailhop run, the API) believes the header as before', async () => {
    await using chain = await startChain(scenario);
    await sendByHand(chain.hops[0].proxy.port, 'X-Mailhop-Id: hand-1\r\nSubject: trusted\r\n\r\nfour');
    await chain.settle();
    expect(chain.mailbox().map((m) => m.id)).toEqual(['hand-1']);
  });
});
