/**
 * Scenario threads: `mailhop run` on more than one core. A run's chains are independent, and one chain's work
 * (TLS handshakes, link proxies, judging) is all on the thread that runs it, so a run of many scenarios was
 * bound by one core while the others idled. A scenario thread is a worker thread that runs the scenarios it is
 * sent exactly as the main thread does (run-one-scenario.ts: the same chain, witnesses and judging) and sends
 * back each report with its trace. Built mailhop starts the compiled entry; run from its TypeScript sources
 * (vitest, `tsx`) the thread first registers tsx's loader, as the worker runtime's threads do (runtime/unit-thread.ts).
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startEntryThread } from '../runtime/unit-thread.js';
import type { LoadedScenario } from '../scenario/load-scenario.js';
import type { RuntimeChoice } from '../runtime/select-runtime.js';
import type { OneScenarioResult } from './run-one-scenario.js';

/** Fewer scenarios than this run on the main thread alone: a thread takes about half a second of CPU to load mailhop. */
export const THREADED_FROM = 16;

/** Main thread to scenario thread: run one scenario, or stop every chain. */
export type ThreadRequest =
  | { type: 'run'; id: number; loaded: Pick<LoadedScenario, 'scenario' | 'file'>; allowExternal?: boolean }
  | { type: 'abort'; reason: string };

/** Scenario thread to main thread: loaded and listening, or one scenario's result. */
export type ThreadReply = { type: 'ready' } | { type: 'done'; id: number; result: OneScenarioResult };

/**
 * How many scenario threads a run uses besides the main thread: `asked` when given, else one less than the cores
 * (os.availableParallelism()) for a run of at least {@link THREADED_FROM} scenarios whose chains run in-process.
 * Other runtimes keep every chain on the main thread: they already spread a chain over threads or containers,
 * and a runtime given as an object cannot be sent to a thread.
 */
export function scenarioThreadCount(scenarios: number, runtime: RuntimeChoice | undefined, asked?: number): number {
  if (asked !== undefined) return Math.max(0, Math.floor(asked));
  const inProcess = (runtime ?? process.env.MAILHOP_RUNTIME ?? 'in-process') === 'in-process';
  return inProcess && scenarios >= THREADED_FROM ? Math.max(0, os.availableParallelism() - 1) : 0;
}

/** One scenario thread: scenarios go in, results come back; `close` ends it. */
export class ScenarioThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (result: OneScenarioResult) => void>();
  #ids = 0;
  #failure: string | undefined;
  /** Resolves once the thread has loaded mailhop (true), or false when it failed first. */
  readonly ready: Promise<boolean>;

  constructor() {
    this.#worker = startScenarioThread();
    let loaded: (ok: boolean) => void = () => {};
    this.ready = new Promise((resolve) => (loaded = resolve));
    this.#worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'ready') return loaded(true);
      this.#pending.get(reply.id)?.(reply.result);
      this.#pending.delete(reply.id);
    });
    const fail = (why: string) => {
      this.#failure ??= why;
      loaded(false);
      for (const settle of this.#pending.values()) settle({ failed: `the chain failed: its scenario thread ${why}` });
      this.#pending.clear();
    };
    this.#worker.on('error', (err) => fail(`failed: ${err.message}`));
    this.#worker.on('exit', (code) => fail(`ended (exit code ${code})`));
  }

  /** Runs one scenario on the thread; a thread that ends first gives a failed result saying so. */
  run(loaded: Pick<LoadedScenario, 'scenario' | 'file'>, allowExternal: boolean | undefined): Promise<OneScenarioResult> {
    if (this.#failure) return Promise.resolve({ failed: `the chain failed: its scenario thread ${this.#failure}` });
    const id = this.#ids++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ type: 'run', id, loaded: { scenario: loaded.scenario, file: loaded.file }, allowExternal } satisfies ThreadRequest);
    });
  }

  /** Stops every chain on the thread (their results still come back, as interrupted runs). */
  abort(reason: string): void {
    if (!this.#failure) this.#worker.postMessage({ type: 'abort', reason } satisfies ThreadRequest);
  }

  /** Ends the thread; call once no scenario is pending on it. */
  async close(): Promise<void> {
    this.#failure ??= 'was closed';
    await this.#worker.terminate();
  }
}

/** Starts a thread running scenario-thread-entry (compiled, or through tsx's loader from the sources). */
function startScenarioThread(): Worker {
  return startEntryThread(import.meta.url, './scenario-thread-entry');
}
