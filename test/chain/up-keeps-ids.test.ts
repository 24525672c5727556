/**
 * Under `mailhop up` (stampMissingId) the chain's own deliveries keep their ids on every kind of link the
 * binding has to see through: fronts before a hop (STARTTLS refused, broken handshakes, injection), implicit
 * TLS, an interceptor, link faults that reset or stall. Each scenario still passes its own expectations, and
 * no message in the mailbox was given a fresh id (no `X-Mailhop-Original-Id`).
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { headerValue } from '../../harness/mta/received-header.js';

const scenarios = [
  'fake-454-opportunistic-continues-in-plaintext',
  'break-handshake-stall-costs-a-timeout-then-plaintext',
  'vulnerable-injection-hop-with-honest-sender-encrypted',
  'implicit-tls-hop',
  'interception-unnoticed-by-opportunistic',
  'last-hop-without-starttls-broken',
  'sendmail-retries-tls-after-one-killed-handshake',
];

describe('mailhop up keeps the ids of the chain\'s own deliveries', () => {
  it.concurrent.for(scenarios)('%s', { timeout: 60_000 }, async (name) => {
    const { scenario, file } = await loadScenarioFile(`scenarios/${name}.yaml`);
    await using chain = await startChain(scenario, { file, stampMissingId: true });
    const report = await chain.run();
    expect(report.failures).toEqual([]);
    expect(report.messages.map((m) => m.messageId)).toEqual(scenario.messages.map((_, i) => `m${i + 1}`));
    expect(chain.mailbox().map((m) => headerValue(m.raw, 'X-Mailhop-Original-Id') ?? null)).toEqual(chain.mailbox().map(() => null));
  });
});
