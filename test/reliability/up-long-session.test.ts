/**
 * A long `mailhop up` stays small (issue 10, item 6): its chain keeps the events of at most
 * `keepFinished` messages whose outcome is final, yet report() covers every message with the verdicts
 * the whole trace gives; the live lines `up` prints are those the whole trace gives too.
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { TraceEvent } from '../../harness/trace/events.js';
import { judgeScenario, type ScenarioReport } from '../../harness/verdict/judge-scenario.js';
import { TraceIndex } from '../../harness/verdict/trace-index.js';
import { renderLiveVerdict } from '../../harness/report/live-verdict.js';
import { UP_CHAIN_OPTIONS, watchChain } from '../../harness/report/live-watch.js';
import { sendByHand } from '../support/dialog.js';

// relay's first handshake to gateway is killed on the wire and it reconnects in clear (stripped); mailbox has no STARTTLS (plain).
const scenario = Scenario.parse({
  name: 'up-long-session',
  hops: [
    { id: 'relay', outbound: { tls: 'opportunistic', fallback: 'reconnect' } },
    { id: 'gateway', outbound: { tls: 'opportunistic' } },
    { id: 'mailbox', inbound: { starttls: 'none' } },
  ],
  links: [{ from: 'relay', to: 'gateway', fault: 'kill-handshake', attempts: [1] }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
});
const KEEP = 10;

const messagesIn = (events: readonly TraceEvent[]) => new Set(events.flatMap((e) => ('messageId' in e && e.messageId ? [e.messageId] : [])));
/** The report without the Received headers' text (a forgotten message keeps what they claim, not their text). */
const withoutText = (report: ScenarioReport) => ({ ...report, headers: report.headers?.map(({ header: _, ...a }) => a) });

describe('a chain with keepFinished', () => {
  it(`keeps the events of at most ${KEEP} delivered messages of 40, and report() judges all 40 as the whole trace does`, async () => {
    await using chain = await startChain(scenario, { keepFinished: KEEP });
    const all: TraceEvent[] = [];
    chain.subscribe((e) => all.push(e));
    for (let sent = 0; sent < 40; sent += 5) {
      await Promise.all(Array.from({ length: 5 }, () => chain.send(scenario.messages[0])));
      expect(await chain.settle()).toBe('done');
    }

    expect(messagesIn(chain.events()).size).toBeLessThanOrEqual(KEEP);
    expect(chain.events().length).toBeLessThan(all.length / 3);
    expect(chain.mailbox().length).toBeLessThanOrEqual(KEEP);
    const report = chain.report();
    const whole = judgeScenario(scenario, all, { held: [], dsns: chain.dsns() });
    expect(report.messages.map((m) => m.messageId)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i + 1}`));
    expect(report.messages.map((m) => m.links.map((l) => l.verdict))).toEqual(Array(40).fill(['tls', 'stripped', 'plain']));
    expect(report.messages).toEqual(whole.messages);
    expect(withoutText(report)).toEqual(withoutText(whole));
    expect(report.headers?.at(-1)).toEqual(whole.headers?.at(-1));
    expect(await chain.judge()).toEqual(report);
  });
});

describe("up's live lines", () => {
  it('are the lines the whole trace gives, for 30 messages sent by hand, while the chain keeps a few', async () => {
    await using chain = await startChain(scenario, { ...UP_CHAIN_OPTIONS, keepFinished: KEEP });
    const all: TraceEvent[] = [];
    chain.subscribe((e) => all.push(e));
    const lines: string[] = [];
    let waiter: (() => void) | undefined;
    const watch = watchChain(chain, (line) => {
      lines.push(line);
      waiter?.();
    });
    for (let n = 1; n <= 30; n++) {
      expect((await sendByHand(chain.hops[0].proxy.port)).at(-2)).toMatch(/^250 /);
      while (lines.length < n) await new Promise<void>((resolve) => (waiter = resolve));
    }
    watch.stop();

    const whole = new TraceIndex(all);
    expect(lines).toEqual(Array.from({ length: 30 }, (_, i) => renderLiveVerdict(scenario, whole, `m${i + 1}`)));
    expect(lines[29]).toContain('relay->gateway 🔓 stripped');
    expect(messagesIn(chain.events()).size).toBeLessThanOrEqual(KEEP);
    expect(chain.report().messages).toHaveLength(30);
  });
});
