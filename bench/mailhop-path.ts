/**
 * A mailhop chain as a MessagePath: `send()` through the injecting client, delivered when the
 * final hop emits `delivered`, quiet when `settle()` returns. Trace events carry virtual time
 * only (`at` stands still while sessions run), so listeners here get the real time
 * (`performance.now()`) at which each event was recorded.
 */
import { startChain, type ChainOptions, type StartedChain } from '../harness/chain/chain.js';
import type { Scenario } from '../harness/scenario/schema.js';
import type { TraceEvent } from '../harness/trace/events.js';
import type { MessagePath } from './message-path.js';
import { benchMessage } from './bench-fixtures.js';
import { now } from './stats.js';

export interface MailhopPath extends MessagePath {
  readonly chain: StartedChain;
  /** Messages a hop accepted in plaintext (must stay 0: every link offers STARTTLS), and failures. */
  readonly problems: { plaintext: number; errors: string[] };
  /** Every trace event of the chain with the real time it was recorded, ms. */
  subscribe(listener: (event: TraceEvent, realMs: number) => void): () => void;
}

/** Starts `scenario` as a MessagePath; `options.runtime` as startChain takes it (default: MAILHOP_RUNTIME, else in-process). */
export async function startMailhopPath(scenario: Scenario, options: Pick<ChainOptions, 'runtime'> = {}): Promise<MailhopPath> {
  const chain = await startChain(scenario, options);
  const waiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const early = new Set<string>();
  const problems = { plaintext: 0, errors: [] as string[] };
  chain.subscribe((event) => {
    if (event.kind === 'accepted' && !event.secure) problems.plaintext++;
    if (event.kind === 'bounced' || event.kind === 'deferred') {
      const why = `${event.messageId} ${event.kind} at ${event.hop}: ${event.reply.text}`;
      problems.errors.push(why);
      waiters.get(event.messageId)?.reject(new Error(`bench chain: ${why}`));
      return;
    }
    if (event.kind !== 'delivered') return;
    const w = waiters.get(event.messageId);
    if (!w) return void early.add(event.messageId);
    waiters.delete(event.messageId);
    w.resolve();
  });
  return {
    chain,
    problems,
    subscribe: (listener) => chain.subscribe((event) => listener(event, now())),
    async deliver(i) {
      const id = await chain.send(benchMessage(i));
      if (early.delete(id)) return;
      await new Promise<void>((resolve, reject) => waiters.set(id, { resolve, reject }));
    },
    async quiesce() {
      await chain.settle();
    },
    stop: () => chain.stop(),
  };
}
