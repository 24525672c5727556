/**
 * `mailhop up` behind a real engine: Postfix relays mailhop's headers but its connections are not announced, so the
 * hop after it believes an id by the chain's seal, once. The message sent by hand keeps the id the first hop gave
 * it through Postfix; the delivered copy sent again gets a fresh one.
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { headerValue } from '../../harness/mta/received-header.js';
import { sendByHand } from '../support/dialog.js';
import { availability, titled } from '../support/engine.js';

describe.skipIf(!availability('postfix').usable)(titled('ids through a real Postfix (mailhop up)', 'postfix'), () => {
  it('keeps the sealed id through Postfix, and gives a replay of the delivered message a fresh id', async () => {
    const scenario = Scenario.parse({
      name: 'engine-ids',
      hops: [{ id: 'relay' }, { id: 'pf', engine: 'postfix' }, { id: 'mailbox' }],
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
    });
    await using chain = await startChain(scenario, { stampMissingId: true });
    expect((await sendByHand(chain.hops[0].proxy.port, 'Subject: through postfix\r\n\r\nhello')).at(-2)).toMatch(/^250 /);
    expect(await chain.settle()).toBe('done');
    const [delivered] = chain.mailbox();
    expect([delivered.id, headerValue(delivered.raw, 'X-Mailhop-Original-Id') ?? null]).toEqual(['m1', null]);

    await sendByHand(chain.hops[2].proxy.port, delivered.raw.toString('latin1').replace(/\r\n$/, ''));
    expect(chain.mailbox().map((m) => [m.id, headerValue(m.raw, 'Subject'), headerValue(m.raw, 'X-Mailhop-Original-Id') ?? null])).toEqual([
      ['m1', 'through postfix', null],
      ['m2', 'through postfix', 'm1'],
    ]);
    expect(chain.report().messages.map((m) => [m.messageId, m.outcome])).toEqual([['m1', 'delivered'], ['m2', 'delivered']]);
  }, 60_000);
});
