/**
 * Threads kept from chain to chain (harness/runtime/unit-threads.ts) must not keep the chains they served: a
 * stopped chain's accepted mail is freed while its thread waits idle for the next chain; and two chains that run
 * at once never share a thread, however often the first stopped.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { workerRuntime } from '../../harness/runtime/worker-runtime.js';
import { MAX_IDLE_THREADS, closeIdleUnitThreads, idleUnitThreads } from '../../harness/runtime/unit-threads.js';

v8.setFlagsFromString('--expose-gc');
/** A full garbage collection (the flag above makes `gc` available to a new context). */
const gc = vm.runInNewContext('gc') as () => void;

afterAll(() => closeIdleUnitThreads());

/** Runs one chain on one worker thread and gives a weak reference to the message its mailbox received. */
async function deliveredMessage(scenario: Scenario): Promise<WeakRef<object>> {
  await using chain = await startChain(scenario, { runtime: workerRuntime({ threads: 1 }) });
  expect((await chain.run()).outcome).toBe('delivered');
  const [message] = chain.mailbox();
  expect(message.raw.length).toBeGreaterThan(100_000);
  return new WeakRef(message);
}

describe('worker threads kept for the next chain', () => {
  it('a stopped chain\'s mail is freed while its thread waits idle', { timeout: 60_000 }, async () => {
    const scenario = Scenario.parse({ name: 'freed', hops: [{ id: 'mx' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'], body: 'x'.repeat(200_000) }] });
    const message = await deliveredMessage(scenario);
    expect(idleUnitThreads()).toBe(1);
    // A WeakRef's target stays alive until the current job ends: collected after a turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(message.deref() === undefined ? 'freed' : 'still held').toBe('freed');
    expect(idleUnitThreads()).toBe(1);
  });

  it('a runtime stopped twice hands its thread back once: two chains after it get a thread each', { timeout: 30_000 }, async () => {
    await closeIdleUnitThreads();
    const first = workerRuntime({ threads: 1 });
    first.threads.for('client->mx');
    await first.stop();
    await first.stop();
    expect(idleUnitThreads()).toBe(1);
    const [a, b] = [workerRuntime({ threads: 1 }), workerRuntime({ threads: 1 })];
    try {
      expect(a.threads.for('client->mx')).not.toBe(b.threads.for('client->mx'));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('threads handed back at once fill the pool to its limit and no further; the rest end', { timeout: 30_000 }, async () => {
    await closeIdleUnitThreads();
    const runtime = workerRuntime({ threads: MAX_IDLE_THREADS + 1 });
    const taken = Array.from({ length: MAX_IDLE_THREADS + 1 }, (_, i) => runtime.threads.for(`link-${i}`));
    await runtime.stop();
    expect(idleUnitThreads()).toBe(MAX_IDLE_THREADS);
    const ended = await Promise.all(taken.map((t) => Promise.race([t.exited.then(() => 'ended'), new Promise((resolve) => setImmediate(() => resolve('alive')))])));
    expect(ended.filter((e) => e === 'ended')).toHaveLength(1);
  });
});
