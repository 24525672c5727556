/**
 * `mailhop up`'s watcher prints a message's line once its record is complete, not only when the chain
 * is quiet: under steady traffic (20 messages a second) the chain is never quiet, and lines used to
 * wait for a pause that never came. Its index forgets printed messages, and the lines stay those the
 * whole trace gives.
 */
import { stripVTControlCharacters as plainText } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { StartedChain } from '../../harness/chain/chain.js';
import type { TraceEvent } from '../../harness/trace/events.js';
import { TraceIndex } from '../../harness/verdict/trace-index.js';
import { renderLiveVerdict } from '../../harness/report/live-verdict.js';
import { watchChain } from '../../harness/report/live-watch.js';
import { chainOf, syntheticTrace } from '../support/synthetic-trace.js';

/** A chain that records the given events one by one; settle() never resolves (never quiet), or resolves a turn later. */
function busyChain(hops: number, settles: 'never' | 'next-turn' = 'never') {
  const scenario = chainOf(hops);
  const listeners = new Set<(e: TraceEvent) => void>();
  let settleCalls = 0;
  const chain = {
    scenario,
    hops: scenario.hops.map((h) => ({ id: h.id })),
    settle: () => {
      settleCalls++;
      return settles === 'never' ? new Promise<never>(() => {}) : new Promise((resolve) => setImmediate(() => resolve('done')));
    },
    subscribe: (listener: (e: TraceEvent) => void) => (listeners.add(listener), () => listeners.delete(listener)),
    events: () => [],
  } as unknown as StartedChain;
  return { scenario, chain, record: (e: TraceEvent) => listeners.forEach((l) => l(e)), settleCalls: () => settleCalls };
}

describe("up's watcher", () => {
  it('prints each of 1,000 messages once its record is complete, while the chain never goes quiet', () => {
    const { scenario, chain, record } = busyChain(3);
    const events = syntheticTrace(scenario, { messages: 1_000, plainEvery: 7 });
    const lines: string[] = [];
    const printedAt: number[] = [];
    const watch = watchChain(chain, (line) => lines.push(line));
    for (const e of events) {
      record(e);
      if (e.kind === 'wire' && e.link === 'h2->h3') printedAt.push(lines.length);
    }
    watch.stop();

    // The last link's wire record completes a message: its line is out at once.
    expect(printedAt).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
    const whole = new TraceIndex(events);
    expect(lines).toEqual(Array.from({ length: 1_000 }, (_, i) => renderLiveVerdict(scenario, whole, `m${i + 1}`)));
    // Colour is on where CI is set (picocolors), so the words are read without it.
    expect(plainText(lines[6])).toContain('m7 delivered');
    expect(plainText(lines[6])).toContain('h2->h3 🔓 plain');
  });

  it('lets the virtual clock run once for the messages that arrived while a settle was waiting, not once per message', async () => {
    const { scenario, chain, record, settleCalls } = busyChain(3, 'next-turn');
    const lines: string[] = [];
    const watch = watchChain(chain, (line) => lines.push(line));
    for (const e of syntheticTrace(scenario, { messages: 1_000 })) record(e);
    expect(lines).toHaveLength(1_000); // each printed as its record completed
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    watch.stop();
    // 1,000 messages arrived before the first settle could start: that one covers them all.
    expect(settleCalls()).toBe(1);
  });
});
