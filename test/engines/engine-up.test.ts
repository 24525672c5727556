/**
 * `mailhop up` with a real engine as the first hop: mail sent to it by hand gets an id when the engine logs
 * accepting it, so the live line reports the submission link as it does for a mock first hop (what the first hop
 * received, over TLS or in plaintext), and the link out of the engine is judged from the engine's witness.
 */
import { stripVTControlCharacters as plainText } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';
import { startChain } from '../../harness/chain/chain.js';
import { UP_CHAIN_OPTIONS, watchChain } from '../../harness/report/live-watch.js';
import { sendByHand } from '../support/dialog.js';
import { availability, titled } from '../support/engine.js';

/** Starts the chain as `mailhop up` does, sends one message by hand in plaintext to the first hop, and returns its live line. */
async function lineForMailByHand(first: ScenarioInput['hops'][number]): Promise<string> {
  const scenario = Scenario.parse({ name: 'up-first-hop', hops: [first, { id: 'mailbox' }], messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }] });
  await using chain = await startChain(scenario, UP_CHAIN_OPTIONS);
  let printed!: (line: string) => void;
  const line = new Promise<string>((resolve) => (printed = resolve));
  const watch = watchChain(chain, (l) => printed(l));
  try {
    expect((await sendByHand(chain.hops[0].proxy.port)).at(-2)).toMatch(/^250 /);
    return plainText(await line);
  } finally {
    watch.stop();
  }
}

describe.skipIf(!availability('postfix').usable)(titled('mailhop up: mail sent by hand to a real Postfix as the first hop', 'postfix'), () => {
  it('reports the submission link, and the same line as with a mock first hop', async () => {
    const real = await lineForMailByHand({ id: 'relay', engine: 'postfix' });
    expect(real).toBe('m1 delivered · client->relay: relay received it in plaintext · relay->mailbox 🔒 tls · end to end from relay on: encrypted');
    expect(await lineForMailByHand({ id: 'relay' })).toBe(real);
  }, 60_000);
});
