import net from 'node:net';
import { describe, expect } from 'vitest';
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

  test.fails('a failing test still gets its chain stopped (this test fails on purpose)', async ({ chain }) => {
    seen = addressesOf(chain.hops);
    throw new Error('failing on purpose');
  });

  test('…as the next test sees', async () => {
    expect(await Promise.all(seen.map(listening))).toEqual(seen.map(() => false));
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

  test.fails('fails the test with every problem listed (this test fails on purpose)', async ({ chain }) => {
    expect(chain).toBeDefined();
  });
});
