/**
 * Every report says when a message rode a resumed TLS session (docs/behaviour.md#B-resumption): the text table, the
 * JSON, the explanation and the HTML report, all rendered from one run of scenarios/reuse/second-connection-resumes-tls.
 */
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, startChain, type Scenario } from '../../harness/index.js';
import { renderExplanation } from '../../harness/report/explain-report.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { renderJson } from '../../harness/report/json-report.js';
import { renderScenario } from '../../harness/report/text-report.js';
import type { TraceEvent } from '../../harness/trace/events.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';

let run: { scenario: Scenario; report: ScenarioReport; events: TraceEvent[] };

beforeAll(async () => {
  const { scenario, file } = await loadScenarioFile('scenarios/reuse/second-connection-resumes-tls.yaml');
  await using chain = await startChain(scenario, { file });
  const report = await chain.run();
  run = { scenario, report, events: chain.events() };
});

describe('reports of a resumed TLS session', () => {
  it('text: the TLS column counts the messages on resumed sessions', () => {
    const row = stripVTControlCharacters(renderScenario(run.report)).split('\n').find((l) => l.trim().startsWith('relay->mx'));
    expect(row).toMatch(/relay->mx\s+🔒 tls\s+TLSv1\.3 \(1 resumed\)\s+TLS_AES_256_GCM_SHA384\s+2$/);
  });

  it('JSON: the link counts them, the message on the resumed session says so, with its note', () => {
    const json = JSON.parse(renderJson([run.report])) as { scenarios?: unknown[] } | unknown[];
    const report = (Array.isArray(json) ? json[0] : (json.scenarios ?? [])[0]) as ScenarioReport;
    expect(report.links.find((l) => l.link === 'relay->mx')?.resumed).toBe(1);
    const m2 = report.messages.find((m) => m.messageId === 'm2')!.links.find((l) => l.link === 'relay->mx')!;
    expect(m2).toMatchObject({ verdict: 'tls', resumed: true });
    expect(m2.notes).toContain('attempt 1: TLS session resumed (no certificate crossed; certificate valid when the session was established)');
  });

  it('explain: the server resumed the session the relay kept, and the certificate facts are that session\'s', () => {
    const text = renderExplanation(run.scenario, run.report, run.events, Infinity);
    expect(text).toContain('The server resumed the TLS session relay kept from an earlier connection (an abbreviated handshake: no certificate crossed), giving TLSv1.3 with TLS_AES_256_GCM_SHA384;');
    expect(text).toContain('(as found when that session was established).');
  });

  it('HTML: the links table and the session table say resumed', () => {
    const html = renderHtml([{ report: run.report, events: run.events, scenario: run.scenario }]);
    expect(html).toContain('<td>TLSv1.3 (1 resumed)</td>');
    expect(html).toContain('TLSv1.3 TLS_AES_256_GCM_SHA384 · session resumed, certificate valid when the session was established (not enforced)');
  });
});
