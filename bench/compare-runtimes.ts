/**
 * The worker runtime against the in-process one on the bench's 3-hop fresh-STARTTLS chain, in alternating rounds
 * (compare-paths.ts): throughput with 10 in flight, CPU per message (process.cpuUsage: every thread of the process),
 * latency one at a time and under load, chain start-up; with the load average before and after, since a busy
 * machine takes the second core away from the worker threads first.
 */
import os from 'node:os';
import { startChain } from '../harness/chain/chain.js';
import { defaultThreads } from '../harness/runtime/worker-runtime.js';
import { closeIdleUnitThreads } from '../harness/runtime/unit-threads.js';
import type { RuntimeName } from '../harness/runtime/runtime.js';
import { offerChain } from './bench-fixtures.js';
import { compareSides, type CompareOptions, type SideResult } from './compare-paths.js';
import { startMailhopPath } from './mailhop-path.js';
import { ms, perSec, ratio, type Row } from './report-table.js';
import { now, summarize, type Summary } from './stats.js';

export interface RuntimeComparison {
  workers: SideResult;
  inProcess: SideResult;
  /**
   * `startChain` of the 3-hop chain until it listens (then stopped, untimed), ms: the worker runtime's with its threads
   * taken warm from the pool, and `workersCold` for the process's first such chain (threads started, modules loaded).
   */
  startup: { workers: Summary; inProcess: Summary; workersCold: number };
  threads: number;
  /** 1-minute load average before and after. */
  load: [string, string];
}

const load = () => os.loadavg()[0].toFixed(2);

/** Median-able start-up times of `runs` chains of 3 hops on `runtime`. */
async function startups(runtime: RuntimeName, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const chain = await startChain(offerChain(3), { runtime });
    samples.push(now() - t0);
    await chain.stop();
  }
  return samples;
}

/** Runs both runtimes on the 3-hop chain (`o` as compareSides takes it) and `startupRuns` start-ups of each. */
export async function compareRuntimes(o: CompareOptions, startupRuns: number): Promise<RuntimeComparison> {
  const before = load();
  const side = (runtime: RuntimeName) => ({ name: runtime, start: () => startMailhopPath(offerChain(3), { runtime }) });
  const [workers, inProcess] = await compareSides([side('workers'), side('in-process')], o);
  // With no idle thread left, a chain starts its threads and they load mailhop's modules; later chains take them warm.
  await closeIdleUnitThreads();
  const [cold] = await startups('workers', 1);
  const [w, p] = [await startups('workers', startupRuns), await startups('in-process', startupRuns)];
  return { workers, inProcess, startup: { workers: summarize(w), inProcess: summarize(p), workersCold: cold }, threads: defaultThreads(), load: [before, load()] };
}

/** The bench table's rows: the worker runtime in the mailhop column, the in-process runtime as the baseline. */
export function runtimeRows(c: RuntimeComparison): Row[] {
  const { workers: w, inProcess: p } = c;
  return [
    { figure: `worker runtime (${c.threads} thread${c.threads === 1 ? '' : 's'}) vs in-process, 3 hops: throughput`, mailhop: perSec(w.perSecond), baseline: perSec(p.perSecond), ratio: ratio(w.perSecond / p.perSecond) },
    { figure: '  CPU per message (all threads)', mailhop: ms(w.cpuPerMessage), baseline: ms(p.cpuPerMessage), ratio: ratio(w.cpuPerMessage / p.cpuPerMessage) },
    { figure: '  latency, one at a time, p50', mailhop: ms(w.latency.p50), baseline: ms(p.latency.p50), ratio: ratio(w.latency.p50 / p.latency.p50) },
    { figure: '  latency under 10 in flight, p50', mailhop: ms(w.loadedLatency.p50), baseline: ms(p.loadedLatency.p50), ratio: ratio(w.loadedLatency.p50 / p.loadedLatency.p50) },
    { figure: '  chain start-up, 3 hops, median (threads from the pool)', mailhop: ms(c.startup.workers.p50), baseline: ms(c.startup.inProcess.p50), ratio: ratio(c.startup.workers.p50 / c.startup.inProcess.p50) },
    { figure: '  first chain of the process (threads started)', mailhop: ms(c.startup.workersCold) },
    { figure: '  load average (1 min) before -> after', mailhop: `${c.load[0]} -> ${c.load[1]}` },
  ];
}
