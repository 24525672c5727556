/**
 * The worker runtime: a chain's hop servers and the link proxies in front of them run in worker threads
 * (node:worker_threads), so a chain uses more than one core. Each thread runs units as a container does
 * (start-unit.ts), talking to the chain over message ports instead of a socket (worker-unit.ts); the senders
 * (the injecting client and every relaying hop's queue), the virtual clock, the trace and the judging stay in
 * the chain's thread. A hop holds its 250 until the chain owns the message, a stall fault's silence reaches the
 * sender's waits, and the virtual now reaches each hop with every connection announced to it, so the verdicts
 * are the ones the in-process runtime gives (test/runtime/worker-runtime.test.ts compares them).
 *
 * A link proxy whose sender is a real engine or an external server stays in the chain's thread: the chain reads
 * the records of its open connections when it judges (`LinkProxyPlan.openRecordsJudged`).
 */
import os from 'node:os';
import { startLinkProxyInProcess } from './in-process-runtime.js';
import { UnitThreads } from './unit-threads.js';
import { startWorkerUnit, type WorkerUnit } from './worker-unit.js';
import type { ChainRuntime, HopHooks, HopPlan, LinkProxyHooks, LinkProxyPlan, StartedUnit } from './runtime.js';
import type { CarriedDelivery } from '../link/faults/index.js';

/** Options of {@link workerRuntime}. */
export interface WorkerRuntimeOptions {
  /** Worker threads at most (default: the cores available, less the chain's own thread, at least 1). */
  threads?: number;
}

/** The default number of threads: one per core besides the chain's own. */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * Makes a worker runtime for one chain. Threads start with the first unit that needs them; `stop()` terminates
 * every one (after the chain stopped its units).
 */
export function workerRuntime(options: WorkerRuntimeOptions = {}): ChainRuntime & { readonly threads: UnitThreads } {
  const threads = new UnitThreads(options.threads ?? defaultThreads());
  /** Each hop in a thread by the link that reaches it, with the virtual now as the chain sees it. */
  const hops = new Map<string, { unit: WorkerUnit; now: () => number }>();
  const proxies = new Map<string, WorkerUnit>();
  // The hop dates its Received headers from the virtual now it was last told: the clock does not move while a sender's
  // session is in flight, so telling it when a connection towards it opens is enough.
  const tellNow = (link: string, now = hops.get(link)?.now()) => {
    if (now !== undefined) hops.get(link)?.unit.post({ now });
  };
  return {
    name: 'workers',
    threads,
    async startHop(plan: HopPlan, hooks: HopHooks): Promise<StartedUnit> {
      const unit = await startWorkerUnit(threads.for(plan.inboundLink), plan, hooks);
      hops.set(plan.inboundLink, { unit, now: () => hooks.date().getTime() - plan.wallStart });
      return unit;
    },
    async startLinkProxy(plan: LinkProxyPlan, hooks: LinkProxyHooks): Promise<StartedUnit> {
      if (plan.openRecordsJudged) {
        return startLinkProxyInProcess(plan, { ...hooks, onOpen: () => { tellNow(plan.name); hooks.onOpen(); } });
      }
      const unit = await startWorkerUnit(threads.for(plan.name), plan, hooks);
      proxies.set(plan.name, unit);
      return unit;
    },
    announce(link: string, clientPort: number, delivery: CarriedDelivery, now: number) {
      proxies.get(link)?.post({ delivery: { ...delivery, clientPort } });
      tellNow(link, now);
    },
    stop: () => threads.terminate(),
  };
}
