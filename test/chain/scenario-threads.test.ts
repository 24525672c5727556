/**
 * Scenario threads (harness/chain/scenario-threads.ts): a scenario run on another thread gives the report and
 * trace it gives on the main thread (what crossed each link, every verdict), a run spread over threads reports
 * every scenario in file order, and an interrupted run stops the chains on the threads too.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, type LoadedScenario } from '../../harness/scenario/load-scenario.js';
import { runScenarios } from '../../harness/chain/run-scenarios.js';
import { runOneScenario } from '../../harness/chain/run-one-scenario.js';
import { ScenarioThread, scenarioThreadCount, THREADED_FROM } from '../../harness/chain/scenario-threads.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';
import type { TraceEvent, WireEvent } from '../../harness/trace/events.js';

const FILES = [
  'scenarios/starttls-stripped-on-the-wire-opportunistic-goes-plain.yaml',
  'scenarios/interception-caught-by-verify.yaml',
  'scenarios/fake-454-opportunistic-continues-in-plaintext.yaml',
  'scenarios/all-hops-offer-encrypted.yaml',
  'scenarios/sendmail-never-falls-back.yaml',
  'scenarios/mandatory-bounces-at-max-age.yaml',
];
const loaded: LoadedScenario[] = await Promise.all(FILES.map((f) => loadScenarioFile(f)));

/** What a report says, without what differs between any two runs (ports, real times). */
function verdicts(report: ScenarioReport) {
  return {
    name: report.name, passed: report.passed, outcome: report.outcome, endToEnd: report.endToEnd, failures: report.failures,
    links: report.links.map((l) => ({ link: l.link, verdict: l.verdict, version: l.version, attempts: l.attempts })),
    messages: report.messages.map((m) => ({ id: m.messageId, outcome: m.outcome, endToEnd: m.endToEnd, links: m.links.map((l) => [l.link, l.verdict]) })),
  };
}

/** Per link, the commands each connection carried in the clear, in connection order: what crossed the wire. */
function wire(events: readonly TraceEvent[]) {
  return events
    .filter((e): e is WireEvent => e.kind === 'wire')
    .sort((a, b) => a.record.seq - b.record.seq)
    .map((e) => [e.link, e.record.commands.map((c) => c.verb)]);
}

describe('scenario threads', () => {
  it('run a scenario on another thread with the report and the wire it has on this one', async () => {
    const thread = new ScenarioThread();
    try {
      expect(await thread.ready).toBe(true);
      for (const scenario of loaded.slice(0, 3)) {
        const there = await thread.run(scenario, false);
        const here = await runOneScenario(scenario, {});
        if ('failed' in there || 'failed' in here) throw new Error(`a chain failed: ${JSON.stringify([there, here])}`);
        expect(verdicts(there.report)).toEqual(verdicts(here.report));
        expect(wire(there.events)).toEqual(wire(here.events));
        expect(wire(there.events).length).toBeGreaterThan(0);
      }
    } finally {
      await thread.close();
    }
  });

  it('spread a run over threads and report every scenario in file order, as one thread does', async () => {
    const seen: number[] = [];
    const threaded = await runScenarios(loaded, { threads: 1, concurrency: 4, onReport: (r, i, events) => (events.length > 0 ? seen.push(i) : undefined) });
    const alone = await runScenarios(loaded, { threads: 0, concurrency: 4 });
    expect(threaded.map(verdicts)).toEqual(alone.map(verdicts));
    expect(threaded.every((r) => r.passed)).toBe(true);
    // Every report came with its trace, wherever it ran.
    expect(seen.sort()).toEqual(loaded.map((_, i) => i));
  });

  it('stop the chains on every thread when the run is interrupted, and report the rest as not run', async () => {
    const interrupt = new AbortController();
    const reports = await runScenarios([...loaded, ...loaded], {
      threads: 1, concurrency: 4, signal: interrupt.signal,
      onReport: () => interrupt.abort('SIGINT'),
    });
    expect(reports).toHaveLength(loaded.length * 2);
    const interrupted = reports.filter((r) => !r.passed);
    expect(interrupted.length).toBeGreaterThan(0);
    for (const r of interrupted) expect(r.failures[0]).toMatch(/^(interrupted \(SIGINT\) before it finished|not run: interrupted \(SIGINT\))$/);
  });

  it('are used for a run of many in-process scenarios on more than one core, never for another runtime', () => {
    expect(scenarioThreadCount(THREADED_FROM - 1, undefined)).toBe(0);
    expect(scenarioThreadCount(100, 'workers')).toBe(0);
    expect(scenarioThreadCount(100, undefined, 0)).toBe(0);
    expect(scenarioThreadCount(3, undefined, 2)).toBe(2);
  });
});
