/**
 * The load generator. A MessagePath is anything that carries numbered messages to a final
 * mailbox (a mailhop chain or the bare baseline chain); both are measured the same way: one
 * message at a time, and a fixed window of messages in flight.
 */
import { now, summarize, type Summary } from './stats.js';

export interface MessagePath {
  /** Sends message number `i`; resolves when it is in the final mailbox. */
  deliver(i: number): Promise<void>;
  /** Resolves once background work of earlier messages (QUITs, closing sockets) has finished. */
  quiesce(): Promise<void>;
  stop(): Promise<void>;
}

/** One message at a time; each waits for the chain to be quiet before the next is sent. */
export interface LatencyResult {
  /** send -> in the final mailbox, ms. */
  delivered: Summary;
  /** send -> `quiesce()` resolved (for mailhop: `settle()`), ms. */
  quiesced: Summary;
  samples: { delivered: number[]; quiesced: number[] };
}

export async function measureLatency(path: MessagePath, count: number, warmup: number): Promise<LatencyResult> {
  const delivered: number[] = [];
  const quiesced: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const start = now();
    await path.deliver(i);
    const t1 = now();
    await path.quiesce();
    const t2 = now();
    if (i >= warmup) {
      delivered.push(t1 - start);
      quiesced.push(t2 - start);
    }
  }
  return { delivered: summarize(delivered), quiesced: summarize(quiesced), samples: { delivered, quiesced } };
}

/** A window of `inFlight` messages: the next is sent as soon as one reaches the final mailbox. */
export interface ThroughputResult {
  perSecond: number;
  sent: number;
  /** First send -> last message in the final mailbox, ms. */
  wallMs: number;
  /** Per-message send -> final mailbox under load, ms. */
  latency: Summary;
  samples: number[];
}

export async function measureThroughput(path: MessagePath, total: number, inFlight: number): Promise<ThroughputResult> {
  const samples: number[] = [];
  let next = 0;
  const start = now();
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const t0 = now();
      await path.deliver(i);
      samples.push(now() - t0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const wallMs = now() - start;
  await path.quiesce();
  return { perSecond: (total / wallMs) * 1000, sent: total, wallMs, latency: summarize(samples), samples };
}
