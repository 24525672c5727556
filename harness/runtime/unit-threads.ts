/**
 * The worker threads of one chain's worker runtime: taken when a unit first needs one, each serving the units given
 * to it, and handed back together when the chain stops. A hop and the link proxy in front of it share a thread (same
 * key: the link's name), so the bytes between them never leave it; successive keys go to successive threads, so the
 * hops of a chain spread over all of them.
 *
 * Threads outlive their chain: a stopped chain's threads wait, idle and unref'd (they keep no process alive), for the
 * next chain of the process. A thread loads mailhop's modules once (about 0.6 s from the TypeScript sources, measured
 * by `npm run bench`'s runtime rows) and its JIT-compiled code stays warm, so only the first chain of a process pays
 * for them: `mailhop run --runtime workers` over many scenarios, the bench's alternating rounds, a vitest file.
 * A thread is reused only when it is alive and every unit it served has said `stopped`; at most
 * {@link MAX_IDLE_THREADS} wait, and {@link closeIdleUnitThreads} ends them.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startUnitThread } from './unit-thread.js';

/** One started thread, and how it ended once it has (`exit` with the error that ended it, if one did). */
export interface UnitThread {
  readonly worker: Worker;
  /** Resolves when the thread has exited, with the uncaught error that ended it (undefined when terminated). */
  readonly exited: Promise<Error | undefined>;
  /**
   * Calls `fn` with what {@link exited} gives once the thread exits (soon, if it has); the function returned stops
   * watching. What a unit watches with must go when the unit stops: a reaction on `exited` would keep its hooks
   * (its chain's records and mail) for as long as the thread serves later chains.
   */
  onExit(fn: (err: Error | undefined) => void): () => void;
  /** Units of the thread's current chain that said hello and not yet `stopped` (worker-unit.ts counts them); 0 while it waits in the pool. */
  running: number;
}

/** Idle threads kept for the next chain at most: one per core. */
export const MAX_IDLE_THREADS = os.availableParallelism();

/** The process's idle threads, most recently returned last. */
const idle: UnitThread[] = [];

/** Ends every idle thread and waits until each has exited (threads of running chains are not touched). */
export async function closeIdleUnitThreads(): Promise<void> {
  const ending = idle.splice(0);
  await Promise.all(ending.map(async (t) => {
    await t.worker.terminate();
    await t.exited;
  }));
}

/** Idle threads waiting for a chain (for tests and the bench). */
export function idleUnitThreads(): number {
  return idle.length;
}

export class UnitThreads {
  readonly #count: number;
  readonly #threads: UnitThread[] = [];
  readonly #byKey = new Map<string, number>();
  #terminating: Promise<void> | undefined;

  /** @param count how many threads at most (>= 1). */
  constructor(count: number) {
    this.#count = Math.max(1, Math.floor(count));
  }

  /** Threads this chain has taken so far (from the pool or started). */
  get started(): number {
    return this.#threads.length;
  }

  /** The thread for `key` (a link name): the same for the same key, taken on first use. */
  for(key: string): UnitThread {
    let index = this.#byKey.get(key);
    if (index === undefined) this.#byKey.set(key, (index = this.#byKey.size % this.#count));
    return (this.#threads[index] ??= this.#take());
  }

  /**
   * Hands every thread back (after the chain stopped its units): a live thread whose units all stopped waits in the
   * pool, unref'd, up to {@link MAX_IDLE_THREADS}; any other is terminated and waited for. Later {@link for} calls
   * take none. Idempotent: a thread handed back twice could serve two chains at once.
   */
  terminate(): Promise<void> {
    return (this.#terminating ??= this.#handBack());
  }

  async #handBack(): Promise<void> {
    await Promise.all(this.#threads.map(async (t) => {
      // The pool's size is read after the wait: threads handed back at once must not all see room for one.
      if (t.running === 0 && (await alive(t)) && idle.length < MAX_IDLE_THREADS) {
        t.worker.unref();
        idle.push(t);
        return;
      }
      await t.worker.terminate();
      await t.exited;
    }));
  }

  #take(): UnitThread {
    if (this.#terminating) throw new Error('the chain stopped: its worker threads are gone');
    const pooled = idle.pop();
    if (pooled) {
      pooled.worker.ref();
      return pooled;
    }
    return startThread();
  }
}

/** True when `t` has not exited (checked after a turn of the event loop, so an exit already under way is seen). */
async function alive(t: UnitThread): Promise<boolean> {
  let exited = false;
  const unwatch = t.onExit(() => (exited = true));
  await new Promise((resolve) => setImmediate(resolve));
  unwatch();
  return !exited;
}

/** Starts a thread that serves units, with its exit watched (onExit) and an uncaught error while a unit runs rethrown. */
function startThread(): UnitThread {
  const worker = startUnitThread();
  let error: Error | undefined;
  worker.on('error', (err) => (error = err));
  let ended: { err: Error | undefined } | undefined;
  const watchers = new Set<(err: Error | undefined) => void>();
  const exited = new Promise<Error | undefined>((resolve) => worker.once('exit', () => {
    ended = { err: error };
    resolve(error);
    for (const fn of watchers) fn(error);
    watchers.clear();
  }));
  const onExit = (fn: (err: Error | undefined) => void) => {
    if (ended) {
      const { err } = ended;
      queueMicrotask(() => fn(err));
      return () => {};
    }
    watchers.add(fn);
    return () => void watchers.delete(fn);
  };
  const thread: UnitThread = { worker, exited, onExit, running: 0 };
  // An exception no running unit caught ends its thread; in-process it would end the process: it does here too,
  // unhidden. While no unit runs (the thread could not load, or it waits idle), the units' starts reject with it
  // instead (ESTART).
  void exited.then((err) => {
    const at = idle.indexOf(thread);
    if (at >= 0) idle.splice(at, 1);
    if (err && thread.running > 0) setImmediate(() => { throw err; });
  });
  return thread;
}
