/**
 * Forgetting messages whose outcome is final (issue 10, item 6): the index keeps the events of at most
 * `keep` of them, yet the report judged from it covers every message with the verdicts the whole trace
 * gives, and the accounting still counts a message that turns up again after it was forgotten.
 */
import { describe, expect, it } from 'vitest';
import { AccountingTally } from '../../harness/verdict/accounting.js';
import { FinalVerdicts } from '../../harness/verdict/final-verdicts.js';
import { judgeScenario, type ScenarioReport } from '../../harness/verdict/judge-scenario.js';
import type { TraceEvent } from '../../harness/trace/events.js';
import { chainOf, syntheticTrace } from '../support/synthetic-trace.js';

const KEEP = 100;

function follow(events: readonly TraceEvent[]) {
  const scenario = chainOf(3);
  const tally = new AccountingTally();
  let dropped = 0;
  const finals = new FinalVerdicts(scenario, { keep: KEEP, tally, onDrop: (gone) => (dropped += gone.size) });
  let mostIndexed = 0;
  for (const e of events) {
    tally.observe(e);
    finals.observe(e);
    mostIndexed = Math.max(mostIndexed, finals.index.size);
  }
  const report = () => judgeScenario(scenario, finals.index, { held: [], dsns: [], accounting: tally.problems([], 'h3'), finished: finals });
  return { scenario, finals, report, dropped: () => dropped, mostIndexed };
}

/** The report without the Received headers' text (a forgotten message keeps what they claim, not their text). */
const withoutText = (report: ScenarioReport) => ({ ...report, headers: report.headers?.map(({ header: _, ...a }) => a) });

describe('final verdicts', () => {
  it(`keeps the events of at most ${KEEP} final messages of 3,000, and judges all 3,000 as the whole trace does`, () => {
    const events = syntheticTrace(chainOf(3), { messages: 3_000, plainEvery: 7, refusals: true });
    const { scenario, finals, report, dropped, mostIndexed } = follow(events);

    expect(mostIndexed).toBeLessThanOrEqual(KEEP + 2); // and the one on its way, and the one just final before a batch goes
    expect(finals.forgotten).toBeGreaterThan(3_000 - KEEP);
    // Every forgotten message's events and wire records went, and the refusals before the oldest message kept.
    expect(dropped()).toBeGreaterThan(events.length - 14 * KEEP);

    const whole = judgeScenario(scenario, events, { held: [], dsns: [] });
    const kept = report();
    expect(kept.messages).toHaveLength(3_000);
    expect(kept.messages).toEqual(whole.messages);
    expect(kept.links).toEqual(whole.links);
    expect(kept.attempts).toBe(whole.attempts);
    expect(kept.failures).toEqual([]);
    // The whole report, but for the Received headers' text of forgotten messages; the messages kept still have it.
    expect(withoutText(kept)).toEqual(withoutText(whole));
    expect(kept.headers?.at(-1)).toEqual(whole.headers?.at(-1));
    expect(kept.headers?.[0].header).toBeUndefined();
  });

  it('still counts a message delivered again after it was forgotten', () => {
    const events = syntheticTrace(chainOf(3), { messages: 400 });
    const again = events.filter((e) => 'messageId' in e && e.messageId === 'm1' && (e.kind === 'accepted' || e.kind === 'delivered') && e.hop === 'h3');
    const seq = events.length;
    const { finals, report } = follow([...events, ...again.map((e, i) => ({ ...e, seq: seq + i + 1 }))]);

    expect(finals.forgotten).toBeGreaterThan(300);
    expect(report().failures).toEqual(['accounting: m1 was accepted 2 times by h3 (duplicate)', 'accounting: m1 ended 2 times at h3 (delivered, delivered)', 'accounting: m1 was delivered 2 times to h3']);
  });
});
