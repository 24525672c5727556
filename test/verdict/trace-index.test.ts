/**
 * The trace index (verdict/trace-index.ts) lets go of forgotten messages: after `forget`, nothing it
 * holds keeps their events alive, wire records of mail sent by hand included (those pair with the
 * hop's acceptance, not with a session). Checked with weak references after a full garbage collection.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../harness/trace/events.js';
import { TraceIndex } from '../../harness/verdict/trace-index.js';
import { chainOf, syntheticTrace } from '../support/synthetic-trace.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Mail sent by hand to the first hop: no client queue or session, the hop's acceptance is the first event. */
function byHand(messages: number): TraceEvent[] {
  return syntheticTrace(chainOf(3), { messages }).filter((e) => !((e.kind === 'queued' || e.kind === 'session') && e.hop === 'client'));
}

describe('trace index', () => {
  it('holds nothing of 500 messages sent by hand once they are forgotten', async () => {
    const index = new TraceIndex();
    let refs: Array<WeakRef<TraceEvent>> = [];
    (() => {
      const events = byHand(500);
      refs = events.map((e) => new WeakRef(e));
      for (const e of events) index.add(e);
      expect(index.messageIds()).toHaveLength(500);
      for (let i = 0; i < 500; i += 100) index.forget(index.messageIds().slice(i, i + 100));
    })();
    // Weak references hold their target until the job ends, and one collection may leave objects a loaded
    // process still had in flight: collect over a few turns (a count of turns, not a time), until none is left.
    const aliveNow = () => refs.map((r) => r.deref()).filter((e): e is TraceEvent => e !== undefined);
    for (let turn = 0; turn < 10 && (turn === 0 || aliveNow().length > 0); turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }

    expect(index.size).toBe(0);
    const alive = aliveNow();
    expect(alive.map((e) => `${e.kind} ${e.link}`)).toEqual([]);
    expect(index.messageIds()).toHaveLength(500); // the order of messages stays
  });
});
