/**
 * Issue 10 item 2, a forged outcome: under `mailhop up` (a chain with `stampMissingId`), mail sent by hand to a
 * later hop that claims the id of a message still queued at an earlier hop is not believed. It gets a fresh id
 * (its own header kept as `X-Mailhop-Original-Id`), the report does not call the real message delivered while it
 * is held, and the real message, once relayed, is the one the mailbox holds under its id. The same holds for a
 * replay of every byte an observer captured on a plaintext link, tokens included.
 */
import { describe, expect, it } from 'vitest';
import { startChain, type StartedChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { headerValue } from '../../harness/mta/received-header.js';
import type { TraceEvent } from '../../harness/trace/events.js';
import { sendByHand } from '../support/dialog.js';
import { wiretap } from '../support/wiretap.js';

// Plaintext links (relay sends without TLS; mailbox offers no STARTTLS, through a front). gateway->mailbox is reset at
// DATA on the first attempt: m1 stays queued at gateway until the clock runs its retry.
const scenario = Scenario.parse({
  name: 'forged-ids',
  hops: [{ id: 'relay', outbound: { tls: 'none' } }, { id: 'gateway' }, { id: 'mailbox', inbound: { starttls: 'none' } }],
  links: [{ from: 'gateway', to: 'mailbox', fault: 'reset', after: 'DATA', attempts: [1] }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
});

/** Resolves with the first trace event (past or future) that `match` accepts. */
function eventOf(chain: StartedChain, match: (e: TraceEvent) => boolean): Promise<TraceEvent> {
  return new Promise((resolve) => {
    const unsubscribe = chain.subscribe((e) => {
      if (!match(e)) return;
      unsubscribe();
      resolve(e);
    });
    const seen = chain.events().find(match);
    if (seen) {
      unsubscribe();
      resolve(seen);
    }
  });
}

/** Hand-sends the real message to relay and waits until gateway has deferred it (m1 held at gateway). */
async function holdRealMessageAtGateway(chain: StartedChain): Promise<void> {
  const deferred = eventOf(chain, (e) => e.kind === 'deferred' && e.hop === 'gateway' && e.messageId === 'm1');
  const replies = await sendByHand(chain.hops[0].proxy.port, 'Subject: real\r\n\r\nthe real content');
  expect(replies.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);
  await deferred;
}

const outcomes = (chain: StartedChain) => chain.report().messages.map((m) => [m.messageId, m.outcome]);
const contents = (chain: StartedChain) =>
  chain.mailbox().map((m) => [m.id, headerValue(m.raw, 'Subject'), headerValue(m.raw, 'X-Mailhop-Original-Id') ?? null]);

describe('a message that claims another message\'s id (mailhop up)', () => {
  it('is not believed while the real m1 is queued at an earlier hop, sent to the next proxy or the server itself', async () => {
    await using chain = await startChain(scenario, { stampMissingId: true });
    await holdRealMessageAtGateway(chain);
    const mailbox = chain.hops[2];
    const viaProxy = await sendByHand(mailbox.proxy.port, 'X-Mailhop-Id: m1\r\nSubject: forged\r\n\r\nnot the real content');
    const direct = await sendByHand(mailbox.server.port, 'X-Mailhop-Id: m1\r\nSubject: forged direct\r\n\r\nnot it either', mailbox.server.host);
    expect(viaProxy.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);
    expect(direct.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);

    // While m1 waits at gateway: the forgeries are messages of their own, and m1 is not delivered.
    expect(contents(chain)).toEqual([['m2', 'forged', 'm1'], ['m3', 'forged direct', 'm1']]);
    expect(outcomes(chain)).toEqual([['m1', 'deferred'], ['m2', 'delivered'], ['m3', 'delivered']]);

    // The retry delivers the real m1; the mailbox's m1 is the real content, once.
    expect(await chain.settle()).toBe('done');
    expect(contents(chain)).toEqual([['m2', 'forged', 'm1'], ['m3', 'forged direct', 'm1'], ['m1', 'real', null]]);
    expect(outcomes(chain)).toEqual([['m1', 'delivered'], ['m2', 'delivered'], ['m3', 'delivered']]);
    expect(chain.report().failures).toEqual([]);
  });

  it('does not believe a replay of the bytes captured on the plaintext relay->gateway link, headers and tokens alike', async () => {
    await using chain = await startChain(scenario, { stampMissingId: true });
    const tap = wiretap(chain.hops[1].proxy.port);
    try {
      await holdRealMessageAtGateway(chain);
    } finally {
      tap.stop();
    }
    // The message as relay sent it to gateway: the DATA content between the 354 and the final dot.
    const wire = tap.captured().toString('latin1');
    const content = wire.slice(wire.indexOf('DATA\r\n') + 'DATA\r\n'.length, wire.indexOf('\r\n.\r\n'));
    expect(headerValue(content, 'X-Mailhop-Id')).toBe('m1');
    const replay = await sendByHand(chain.hops[2].proxy.port, content);
    expect(replay.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);

    expect(contents(chain)).toEqual([['m2', 'real', 'm1']]);
    expect(outcomes(chain)).toEqual([['m1', 'deferred'], ['m2', 'delivered']]);
    expect(await chain.settle()).toBe('done');
    expect(contents(chain)).toEqual([['m2', 'real', 'm1'], ['m1', 'real', null]]);
    expect(headerValue(chain.mailbox()[1].raw, 'X-Mailhop-Id')).toBe('m1');
    expect(chain.report().failures).toEqual([]);
  });
});
