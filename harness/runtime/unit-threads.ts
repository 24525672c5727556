/**
 * The worker threads of one chain's worker runtime: started when a unit first needs one, each serving the units
 * given to it, and terminated together when the chain stops. A hop and the link proxy in front of it share a
 * thread (same key: the link's name), so the bytes between them never leave it; successive keys go to successive
 * threads, so the hops of a chain spread over all of them.
 */
import type { Worker } from 'node:worker_threads';
import { startUnitThread } from './unit-thread.js';

/** One started thread, and how it ended once it has (`exit` with the error that ended it, if one did). */
export interface UnitThread {
  readonly worker: Worker;
  /** Resolves when the thread has exited, with the uncaught error that ended it (undefined when terminated). */
  readonly exited: Promise<Error | undefined>;
  /** Units of the thread that said hello (worker-unit.ts counts them). */
  started: number;
}

export class UnitThreads {
  readonly #count: number;
  readonly #threads: UnitThread[] = [];
  readonly #byKey = new Map<string, number>();
  #terminated = false;

  /** @param count how many threads at most (>= 1). */
  constructor(count: number) {
    this.#count = Math.max(1, Math.floor(count));
  }

  /** Threads started so far. */
  get started(): number {
    return this.#threads.length;
  }

  /** The thread for `key` (a link name): the same for the same key, started on first use. */
  for(key: string): UnitThread {
    let index = this.#byKey.get(key);
    if (index === undefined) this.#byKey.set(key, (index = this.#byKey.size % this.#count));
    return (this.#threads[index] ??= this.#start());
  }

  /** Terminates every thread and waits until each has exited; later {@link for} calls start none. */
  async terminate(): Promise<void> {
    this.#terminated = true;
    await Promise.all(this.#threads.map(async (t) => {
      await t.worker.terminate();
      await t.exited;
    }));
  }

  #start(): UnitThread {
    if (this.#terminated) throw new Error('the chain stopped: its worker threads are gone');
    const worker = startUnitThread();
    let error: Error | undefined;
    worker.on('error', (err) => (error = err));
    const exited = new Promise<Error | undefined>((resolve) => worker.once('exit', () => resolve(error)));
    const thread: UnitThread = { worker, exited, started: 0 };
    // An exception no running unit caught ends its thread; in-process it would end the process: it does here too,
    // unhidden. Before any unit runs (the thread could not load), the units' starts reject with it instead (ESTART).
    void exited.then((err) => {
      if (err && thread.started > 0) setImmediate(() => { throw err; });
    });
    return thread;
  }
}
