/**
 * The chain's registry of connections its stall faults silenced (chain/stalled-connections.ts) with the virtual
 * clock: a sender's wait on such a connection moves to the clock, which jumps to it once no other work is in flight.
 */
import { describe, expect, it } from 'vitest';
import { StalledConnections } from '../../harness/chain/stalled-connections.js';
import { VirtualClock } from '../../harness/chain/virtual-clock.js';

/** A few turns of the event loop (the clock declares itself idle one turn after the last work ended). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('StalledConnections', () => {
  it('moves the wait in progress of the stalled connection, and only that one, to the virtual clock', async () => {
    const clock = new VirtualClock();
    const stalls = new StalledConnections(clock);
    const waits = stalls.waitsFor('relay->mx', 40001);
    let otherDone!: () => void;
    void clock.track(new Promise<void>((resolve) => (otherDone = resolve)));
    const elapsedAt: number[] = [];
    void clock.track(new Promise<void>((resolve) => waits.start(300_000, () => resolve(void elapsedAt.push(clock.now())))));

    stalls.stalled('relay->mx', 40002);
    stalls.stalled('client->relay', 40001);
    expect(waits.virtual).toBe(false);
    stalls.stalled('relay->mx', 40001);
    expect(waits.virtual).toBe(true);

    const run = clock.run(Infinity, () => elapsedAt.length > 0);
    // Other work is still in flight: the clock stands still.
    await turns(5);
    expect(elapsedAt).toEqual([]);
    otherDone();
    expect(await run).toBe('done');
    expect(elapsedAt).toEqual([300_000]);
  });

  it('a wait started on a connection already stalled is virtual; cancelled, its work counts as in flight again', async () => {
    const clock = new VirtualClock();
    const stalls = new StalledConnections(clock);
    const waits = stalls.waitsFor('relay->mx', 40001);
    stalls.stalled('relay->mx', 40001);
    let finish!: () => void;
    const work = clock.track(
      new Promise<void>((resolve) => {
        const cancel = waits.start(300_000, () => expect.unreachable('a cancelled wait fired'));
        // Something real happened first (the connection closed): the wait is cancelled, twice to be sure it counts once.
        cancel();
        cancel();
        finish = resolve;
      }),
    );
    let settled = false;
    const run = clock.run(Infinity, () => true).finally(() => (settled = true));
    // The work is in flight again after the cancel: run() has not found the clock idle.
    await turns(5);
    expect(settled).toBe(false);
    finish();
    await work;
    expect(await run).toBe('done');
    expect([clock.now(), clock.nextTimerAt()]).toEqual([0, undefined]);
  });

  it('forgets a connection once its client closed it; a newer connection from the same port is not forgotten with the old', () => {
    const stalls = new StalledConnections(new VirtualClock());
    const old = stalls.waitsFor('relay->mx', 40001);
    const newer = stalls.waitsFor('relay->mx', 40001);
    old.close();
    expect(stalls.size).toBe(1);
    stalls.stalled('relay->mx', 40001);
    expect([old.virtual, newer.virtual]).toEqual([false, true]);
    newer.close();
    expect(stalls.size).toBe(0);
  });
});
