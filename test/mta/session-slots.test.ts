/** SessionSlots: at most `limit` at once, turns first come first served, a slot freed even when the work throws. */
import { describe, expect, it } from 'vitest';
import { SessionSlots } from '../../harness/mta/session-slots.js';

/** A promise with its resolve function, to finish work when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('SessionSlots', () => {
  it('runs at most limit at once and starts the waiting ones in the order they asked', async () => {
    const slots = new SessionSlots(2);
    const started: number[] = [];
    const gates = [1, 2, 3, 4, 5].map(() => gate());
    const runs = gates.map((g, i) => slots.run(async () => {
      started.push(i + 1);
      await g.opened;
      return i + 1;
    }));
    expect(started).toEqual([1, 2]);
    expect([slots.inUse, slots.queued]).toEqual([2, 3]);
    gates[1].open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([1, 2, 3]);
    // A newcomer waits behind those already waiting, though a slot is handed over as it asks.
    const late = slots.run(async () => started.push(6));
    gates[0].open();
    gates[2].open();
    await Promise.all([runs[0], runs[2]]);
    gates[3].open();
    gates[4].open();
    expect(await Promise.all(runs)).toEqual([1, 2, 3, 4, 5]);
    await late;
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    expect([slots.inUse, slots.queued]).toEqual([0, 0]);
  });

  it('frees the slot when the work throws', async () => {
    const slots = new SessionSlots(1);
    await expect(slots.run(async () => {
      throw new Error('session failed');
    })).rejects.toThrow('session failed');
    expect(await slots.run(async () => 'next')).toBe('next');
    expect(slots.inUse).toBe(0);
  });

  it('refuses a limit below 1', () => {
    expect(() => new SessionSlots(0)).toThrow('session slots: cannot allow 0 sessions at once: a concurrency limit is an integer >= 1.');
  });
});
