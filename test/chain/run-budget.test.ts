/**
 * `runFor` is each message's budget, counted from when it entered the chain, not one budget for a
 * whole `mailhop up` session: a chain that keeps running (stampMissingId, settle() after each
 * message, as `up` does) gives a message sent after others used up virtual time its whole retry
 * schedule, and delivers it once the receiver lets it through.
 */
import { describe, expect, it } from 'vitest';
import { startChain, type StartedChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { sendByHand } from '../support/dialog.js';

const MINUTE = 60_000;

// relay retries at +5m, +10m, +20m; the link to the mailbox kills the TLS handshake of attempts 1-3 (the relay,
// Sendmail-like, never falls back to plaintext), so every message needs 35m of virtual time and four attempts.
const input = {
  name: 'run-budget',
  runFor: '1h',
  hops: [
    { id: 'relay', outbound: { tls: 'opportunistic', fallback: 'never', retry: ['5m', '10m', '20m'], maxAge: '2h' } },
    { id: 'mailbox' },
  ],
  links: [{ from: 'relay', to: 'mailbox', fault: 'kill-handshake', attempts: [1, 2, 3] }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
};
const scenario = Scenario.parse(input);

const sendLate = (port: number) => sendByHand(port, 'Subject: late\r\n\r\nsent late');

/** What happened to one message on the relay->mailbox link: each session's virtual time and result, and how it ended. */
function history(chain: StartedChain, id: string) {
  const events = chain.events().filter((e) => 'messageId' in e && e.messageId === id);
  return {
    sessions: events.flatMap((e) => (e.kind === 'session' && e.link === 'relay->mailbox' ? [`${e.at / MINUTE}m ${e.result}`] : [])),
    deferred: events.filter((e) => e.kind === 'deferred').length,
    delivered: events.filter((e) => e.kind === 'delivered').map((e) => e.at / MINUTE),
  };
}

describe('runFor under a long-running chain (mailhop up)', () => {
  it('gives a message sent after others used up virtual time its whole retry schedule', async () => {
    await using chain = await startChain(scenario, { stampMissingId: true });
    // Two messages, one after the other, as a person sends them while `up` runs: together they use 70m, more than runFor.
    for (const expected of [0, 35]) {
      const id = await chain.send(scenario.messages[0]);
      const settled = await chain.settle();
      expect(history(chain, id)).toEqual({
        sessions: [`${expected}m deferred`, `${expected + 5}m deferred`, `${expected + 15}m deferred`, `${expected + 35}m relayed`],
        deferred: 3,
        delivered: [expected + 35],
      });
      expect(settled).toBe('done');
    }
    // A third, sent by hand to the relay at 70m, 10m past the scenario's runFor: it too gets every retry.
    expect((await sendLate(chain.hops[0].proxy.port)).at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);
    const settled = await chain.settle();
    expect(history(chain, 'm3')).toEqual({ sessions: ['70m deferred', '75m deferred', '85m deferred', '105m relayed'], deferred: 3, delivered: [105] });
    expect(settled).toBe('done');

    const report = chain.report();
    expect(report.messages.map((m) => [m.messageId, m.outcome])).toEqual([['m1', 'delivered'], ['m2', 'delivered'], ['m3', 'delivered']]);
    expect(chain.mailbox().map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('still holds a message that uses up its own runFor, and says so', async () => {
    // The receiver never lets it through: retries at 5m, 15m, 35m, 55m fit in its hour; the one due at 75m does not.
    const held = Scenario.parse({ ...input, links: [{ from: 'relay', to: 'mailbox', fault: 'kill-handshake' }] });
    await using chain = await startChain(held, { stampMissingId: true });
    await chain.send(held.messages[0]);
    expect(await chain.settle()).toBe('limit');
    expect(history(chain, 'm1')).toEqual({
      sessions: ['0m deferred', '5m deferred', '15m deferred', '35m deferred', '55m deferred'],
      deferred: 5,
      delivered: [],
    });
    expect(chain.report().messages.map((m) => [m.messageId, m.outcome])).toEqual([['m1', 'deferred']]);
  });
});
