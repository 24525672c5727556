import net from 'node:net';
import { afterEach, describe, expect } from 'vitest';
import { chainTest } from '../../harness/vitest/index.js';
import type { HopAddresses } from '../../harness/index.js';

/** Resolves `true` when something accepts a TCP connection on the address. */
function listening(address: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address.port, address.host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const addressesOf = (hops: readonly HopAddresses[]) => hops.flatMap((h) => [h.server, h.proxy]);

describe('chainTest', () => {
  const test = chainTest('scenarios/all-hops-offer-encrypted.yaml');
  let seen: Array<{ host: string; port: number }> = [];

  test('starts the scenario file’s chain for the test', async ({ chain, scenario }) => {
    expect(scenario).toBe('scenarios/all-hops-offer-encrypted.yaml');
    expect(chain.scenario.name).toBe('all-hops-offer-encrypted');
    seen = addressesOf(chain.hops);
    expect(await Promise.all(seen.map(listening))).toEqual(seen.map(() => true));
    const report = await chain.run();
    expect(report.file).toBe('scenarios/all-hops-offer-encrypted.yaml');
    await expect(chain).toHoldTlsEndToEnd();
  });

  test('stopped the chain after the test: every server and proxy port is closed', async () => {
    expect(seen.length).toBeGreaterThan(0);
    expect(await Promise.all(seen.map(listening))).toEqual(seen.map(() => false));
  });

  /** What the failing test saw of its own chain, and why it failed (vitest's record, read before test.fails turns it into a pass). */
  let failing: { seen: Array<{ host: string; port: number }>; listening: boolean[]; errors?: string[] } | undefined;
  afterEach(({ task }) => {
    if (failing && task.name.startsWith('a failing test')) failing.errors = task.result?.errors?.map((e) => e.message);
  });

  test.fails('a failing test still gets its chain stopped (this test fails on purpose)', async ({ chain }) => {
    const own = addressesOf(chain.hops);
    failing = { seen: own, listening: await Promise.all(own.map(listening)) };
    throw new Error('failing on purpose');
  });

  test('…as the next test sees', async () => {
    // The failing test ran with a chain of its own (3 hops: a server and a proxy each, all listening), and failed
    // only where it meant to: a fixture that never started, or a different failure, is not what test.fails hid.
    expect(failing?.errors).toEqual(['failing on purpose']);
    expect(failing!.seen).toHaveLength(6);
    expect(failing!.listening).toEqual(failing!.seen.map(() => true));
    expect(await Promise.all(failing!.seen.map(listening))).toEqual(failing!.seen.map(() => false));
  });

  describe('with test.override({ scenario })', () => {
    test.override({ scenario: 'scenarios/mandatory-to-hop-without-starttls-held.yaml' });

    test('the overriding scenario runs instead', async ({ chain }) => {
      expect(chain.scenario.name).toBe('mandatory-to-hop-without-starttls-held');
      await chain.run();
      await expect(chain).toBeHeldNeverInClear();
    });
  });
});

describe('chainTest with an invalid scenario object', () => {
  const test = chainTest({ name: 'Not Kebab', hops: [], messages: [] });
  let failure: { bodyRan: boolean; errors?: Array<{ name?: string; message: string }> } = { bodyRan: false };
  afterEach(({ task }) => {
    if (task.name.startsWith('fails the test')) failure.errors = task.result?.errors?.map((e) => ({ name: e.name, message: e.message }));
  });

  test.fails('fails the test with every problem listed (this test fails on purpose)', async ({ chain }) => {
    failure = { bodyRan: true };
    expect(chain.scenario.name).toBe('the chain should never have started');
  });

  test('…with the ScenarioError naming every problem, before the body runs', () => {
    expect(failure.bodyRan).toBe(false);
    expect(failure.errors).toEqual([{
      name: 'ScenarioError',
      // The object is loaded as its JSON, two spaces deep: line 2 is "name", 3 "hops", 4 "messages".
      message: 'inline scenario Not Kebab:2:11: name: must be kebab-case; got "Not Kebab"\ninline scenario Not Kebab:3:11: hops: must have at least 1 item\ninline scenario Not Kebab:4:15: messages: needs at least one message for the mailhop client to submit (or submit: { sender: app }, where your application sends)',
    }]);
  });
});
