/**
 * Judging is linear in the trace (issue 10, item 5): a report reads each event a bounded number of
 * times, whatever the number of messages or hops, and the async judge gives the event loop turns.
 * Measured by counting reads of event fields (a Proxy per event), never by time. A judge that scans
 * the trace per message or per link reads quadratically many and hits the budget at once.
 */
import { describe, expect, it } from 'vitest';
import { judgeScenario, judgeScenarioAsync } from '../../harness/verdict/judge-scenario.js';
import type { TraceEvent } from '../../harness/trace/events.js';
import { chainOf, syntheticTrace } from '../support/synthetic-trace.js';

/** Reads of event fields allowed per event: what one pass to index plus judging each message's few events costs. */
const READS_PER_EVENT = 40;

/** `events`, each behind a Proxy that counts reads of its fields and throws once the budget is spent. */
function counting(events: readonly TraceEvent[]): { events: TraceEvent[]; reads(): number } {
  let reads = 0;
  const budget = READS_PER_EVENT * events.length;
  const handler: ProxyHandler<TraceEvent> = {
    get(target, key, receiver) {
      if (++reads > budget) throw new Error(`judging read more than ${READS_PER_EVENT} fields per event (${events.length} events)`);
      return Reflect.get(target, key, receiver);
    },
  };
  return { events: events.map((e) => new Proxy(e, handler)), reads: () => reads };
}

function judgeCounted(hops: number, messages: number, options: { refusals?: boolean; held?: number } = {}) {
  const scenario = chainOf(hops);
  const trace = syntheticTrace(scenario, { messages, plainEvery: 7, ...options });
  const held = trace.flatMap((e) => (e.kind === 'deferred' ? [{ messageId: e.messageId, hop: e.hop }] : []));
  const { events, reads } = counting(trace);
  const report = judgeScenario(scenario, events, { held, dsns: [] });
  return { report, reads: reads(), events: trace.length };
}

describe('judging a run', () => {
  it('reads each event a bounded number of times: 10,000 messages × 3 links, with an event naming no message per message', { timeout: 60_000 }, () => {
    const small = judgeCounted(3, 1_000, { refusals: true, held: 50 });
    const large = judgeCounted(3, 10_000, { refusals: true, held: 500 });

    expect(large.report.messages).toHaveLength(10_000);
    expect(large.report.messages.filter((m) => m.outcome === 'delivered')).toHaveLength(9_500);
    expect(large.report.messages.at(-1)).toMatchObject({ outcome: 'deferred', stoppedAt: { hop: 'h1' } });
    expect(large.report.links.map((l) => [l.link, l.verdict, l.attempts])).toEqual([
      ['client->h1', 'tls', 10_000],
      ['h1->h2', 'refused', 10_000],
      ['h2->h3', 'plain', 9_500],
    ]);
    expect(large.report.headers).toHaveLength(9_500 * 3);
    // Ten times the trace costs ten times the reads (give or take the held messages' share), not a hundred.
    expect(large.reads / large.events).toBeLessThanOrEqual(READS_PER_EVENT);
    expect(large.reads).toBeLessThan(11 * small.reads);
  });

  it('reads each event a bounded number of times through 100 hops (the most a scenario may have)', () => {
    const { report, reads, events } = judgeCounted(100, 3);
    expect(report.messages.map((m) => m.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(report.links).toHaveLength(100);
    expect(reads / events).toBeLessThanOrEqual(READS_PER_EVENT);
  });

  it('gives the event loop turns while it judges: an abort that arrives meanwhile stops it', async () => {
    const scenario = chainOf(3);
    const events = syntheticTrace(scenario, { messages: 3_000 }); // 42,000 events: a turn after 20,000
    const abort = new AbortController();
    // Runs only if judging gives the event loop a turn before it ends.
    setImmediate(() => abort.abort(new Error('SIGTERM')));
    await expect(judgeScenarioAsync(scenario, events, { held: [], dsns: [] }, { signal: abort.signal })).rejects.toThrow('SIGTERM');
    // Without an abort it judges everything, as the synchronous judge does.
    const sync = judgeScenario(scenario, events, { held: [], dsns: [] });
    expect(await judgeScenarioAsync(scenario, events, { held: [], dsns: [] })).toEqual(sync);
  });
});
