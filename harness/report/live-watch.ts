/**
 * What `mailhop up` does while the chain runs: follows the trace as it is recorded, lets the virtual
 * clock run when a message arrives (so retries happen), prints a deferral at once, and prints a
 * message's live verdict (live-verdict.ts) once it is delivered or given up and its record is
 * complete (verdict/message-complete.ts: every hop ended it, every wire record is in), or else once
 * the chain is quiet again. Under steady traffic the chain is never quiet, so a line cannot wait for
 * that. A chain with a real engine or an external server as a sender waits for quiet: their wire
 * records are not tied to sessions.
 *
 * The trace is indexed as it comes (verdict/trace-index.ts) and a printed message leaves the index,
 * so a line costs the same after 10 messages or 100,000; the chain itself keeps a bounded trace
 * ({@link UP_KEEP_FINISHED}).
 */
import type { ChainOptions, StartedChain } from '../chain/chain.js';
import { TraceIndex } from '../verdict/trace-index.js';
import { completeAt } from '../verdict/message-complete.js';
import { renderDeferred, renderLiveVerdict } from './live-verdict.js';

/** Messages with a final outcome whose raw events `up` keeps (startChain's `keepFinished`). */
export const UP_KEEP_FINISHED = 1_000;

/** The chain options `mailhop up` starts its chain with, besides the file and `allowExternal`. */
export const UP_CHAIN_OPTIONS: Pick<ChainOptions, 'stampMissingId' | 'keepFinished'> = { stampMissingId: true, keepFinished: UP_KEEP_FINISHED };

/**
 * Printed messages leave the index in batches of this many (forgetting costs O(what is indexed)), one
 * batch late: a wire record that arrives after the line was printed still finds its message.
 */
const FORGET_BATCH = 200;

/**
 * Follows `chain`, printing through `say`; `settled` hears of each message once its line is printed (the
 * web view, `--web`); `stop()` unsubscribes and prints nothing more.
 */
export function watchChain(chain: StartedChain, say: (line: string) => void, settled: (messageId: string) => void = () => {}): { stop(): void } {
  // The hops started before anyone watched: their hop-started events say who sends on each link.
  const index = new TraceIndex(chain.events().filter((e) => e.kind === 'hop-started'));
  /** Printed and still indexed; a printed message the index forgot is `index.isForgotten` (until an event names it again). */
  const printed = new Set<string>();
  const wasPrinted = (id: string) => printed.has(id) || index.isForgotten(id);
  /** Delivered or given up, not printed yet. */
  const finished = new Set<string>();
  /** Queued somewhere, not printed yet: what is left held when the run is out of time. */
  const seen = new Set<string>();
  let done: string[] = [];
  let stopped = false;
  let settling: Promise<void> = Promise.resolve();
  const firstHop = chain.hops[0].id;
  const sessionlessSenders = chain.scenario.hops.slice(0, -1).some((h) => h.engine !== 'mock');

  const print = (id: string, held?: { hop: string }) => {
    printed.add(id);
    finished.delete(id);
    seen.delete(id);
    say(renderLiveVerdict(chain.scenario, index, id, held));
    settled(id);
    done.push(id);
    if (done.length >= 2 * FORGET_BATCH) {
      const batch = done.slice(0, FORGET_BATCH);
      index.forget(batch);
      for (const id of batch) printed.delete(id);
      done = done.slice(FORGET_BATCH);
    }
  };
  const flush = (result: 'done' | 'limit' | 'stopped') => {
    if (stopped) return;
    for (const id of finished) print(id);
    if (result === 'limit') {
      // Out of virtual time: what is still queued stays held; say so once.
      for (const id of seen) print(id, { hop: index.own(id).findLast((e) => e.kind === 'queued')?.hop ?? firstHop });
    }
  };
  // One settle() waiting behind the running one covers every message that arrives meanwhile: under steady
  // traffic the chain is seldom quiet, and a settle() per message would pile up, one promise each.
  let settleQueued = false;
  const settle = () => {
    if (settleQueued) return;
    settleQueued = true;
    settling = settling.then(async () => {
      settleQueued = false;
      flush(await chain.settle());
    });
  };
  const unsubscribe = chain.subscribe((e) => {
    if (stopped) return;
    // Asked before the event is filed: an event about a forgotten message would make the index remember it.
    const before = 'messageId' in e && e.messageId !== undefined && wasPrinted(e.messageId);
    index.add(e);
    if (e.kind === 'queued') {
      if (!before) seen.add(e.messageId);
      if (e.hop === firstHop) settle();
    } else if (e.kind === 'deferred') {
      say(renderDeferred(e));
    } else if (e.kind === 'delivered' || e.kind === 'bounced') {
      if (!before) finished.add(e.messageId);
      settle();
    }
    // A finished message's record completes with its last session or wire record (a handful are waiting at a time).
    if (!sessionlessSenders && finished.size > 0 && (e.kind === 'session' || e.kind === 'wire' || e.kind === 'delivered' || e.kind === 'bounced')) {
      for (const id of finished) if (completeAt(index, id)) print(id);
    }
  });
  return {
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}
