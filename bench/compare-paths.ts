/**
 * mailhop against the baseline on the same chain shape, in alternating rounds so that a change
 * in machine load during the run hits both sides alike. Each round starts fresh chains (their
 * start-up is not timed), warms them with a few messages, then measures.
 */
import { measureLatency, measureThroughput, type MessagePath } from './message-path.js';
import { summarize, type Summary } from './stats.js';

export interface Side {
  name: string;
  start(): Promise<MessagePath & { problems: { plaintext: number; errors: string[] } }>;
}

export interface SideResult {
  latency: Summary;
  /** send -> chain quiet (mailhop: `settle()` resolved), ms. */
  quiesced: Summary;
  perSecond: number;
  /** Process CPU (user+system) per message during the throughput runs, ms. */
  cpuPerMessage: number;
  /** Per-message latency under the throughput load, ms. */
  loadedLatency: Summary;
  plaintext: number;
  errors: string[];
}

export interface CompareOptions {
  latencyMessages: number;
  throughputMessages: number;
  inFlight: number;
  rounds: number;
  warmup: number;
  /**
   * Messages of one untimed round per side before the measured ones (10 in flight each), so every side's code is
   * JIT-compiled in every thread it runs on, as in a process that has run chains before; the worker runtime's threads,
   * reused from chain to chain (unit-threads.ts), would otherwise pay their first compilation inside round 1.
   */
  warmupRound?: number;
}

/** Runs every side `rounds` times in turn; returns results in the order of `sides`. */
export async function compareSides(sides: readonly Side[], o: CompareOptions): Promise<SideResult[]> {
  const acc = sides.map(() => ({ lat: [] as number[], quiet: [] as number[], loaded: [] as number[], wallMs: 0, sent: 0, cpuMs: 0, plaintext: 0, errors: [] as string[] }));
  const perRound = (total: number) => Math.ceil(total / o.rounds);
  for (const side of o.warmupRound ? sides : []) {
    const path = await side.start();
    try {
      await measureThroughput(path, o.warmupRound!, o.inFlight);
    } finally {
      await path.stop();
    }
  }
  for (let round = 0; round < o.rounds; round++) {
    for (const [s, side] of sides.entries()) {
      const path = await side.start();
      try {
        for (let i = 0; i < o.warmup; i++) await path.deliver(-1 - i);
        await path.quiesce();
        const lat = await measureLatency(path, perRound(o.latencyMessages), 0);
        acc[s].lat.push(...lat.samples.delivered);
        acc[s].quiet.push(...lat.samples.quiesced);
        const cpu0 = process.cpuUsage();
        const thr = await measureThroughput(path, perRound(o.throughputMessages), o.inFlight);
        const cpu = process.cpuUsage(cpu0);
        acc[s].cpuMs += (cpu.user + cpu.system) / 1000;
        acc[s].wallMs += thr.wallMs;
        acc[s].sent += thr.sent;
        acc[s].loaded.push(...thr.samples);
      } finally {
        acc[s].plaintext += path.problems.plaintext;
        acc[s].errors.push(...path.problems.errors);
        await path.stop();
      }
    }
  }
  return acc.map((a) => ({
    latency: summarize(a.lat),
    quiesced: summarize(a.quiet),
    perSecond: (a.sent / a.wallMs) * 1000,
    cpuPerMessage: a.cpuMs / a.sent,
    loadedLatency: summarize(a.loaded),
    plaintext: a.plaintext,
    errors: a.errors,
  }));
}
