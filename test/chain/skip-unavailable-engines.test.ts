import { describe, it, expect } from 'vitest';
import { Scenario } from '../../harness/scenario/schema.js';
import { unavailableEngines } from '../../harness/engines/unavailable-engines.js';
import { skippedReport } from '../../harness/chain/run-scenarios.js';
import { renderScenario, renderSummary } from '../../harness/report/text-report.js';
import { renderJunit } from '../../harness/report/junit-report.js';
import type { EngineDiagnosis } from '../../harness/engines/doctor.js';

// A machine without the real MTAs reports their scenarios as skipped, naming what is missing:
// never as passed runs, never as failures of the scenario.
const scenario = Scenario.parse({
  name: 'real-postfix',
  hops: [{ id: 'relay' }, { id: 'mailbox', engine: 'postfix' }],
  messages: [{ from: 'a@org.test', to: ['b@partner.test'] }],
});
const noPostfix = (): EngineDiagnosis[] => [
  { engine: 'postfix', usable: false, reasons: ['/usr/sbin/postfix missing (run scripts/install-real-mtas.sh)'] },
];

describe('scenarios needing a missing real MTA', () => {
  it('name the engine and the reason', () => {
    expect(unavailableEngines(scenario, noPostfix)).toBe('needs postfix: /usr/sbin/postfix missing (run scripts/install-real-mtas.sh)');
  });

  it('do not look at the machine when only mocks are used', () => {
    const mocks = Scenario.parse({ name: 'mocks', hops: [{ id: 'mx' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    expect(unavailableEngines(mocks, () => { throw new Error('must not diagnose'); })).toBeUndefined();
  });

  it('are shown as skipped in the text summary and in JUnit', () => {
    const report = skippedReport(scenario, 'scenarios/real/x.yaml', 'needs postfix: missing');
    expect(renderScenario(report)).toContain('skipped: needs postfix: missing');
    expect(renderSummary([report]).replace(/\x1b\[[0-9;]*m/g, '')).toBe('1 scenario: 0 passed, 0 failed, 1 skipped');
    const xml = renderJunit([report]);
    expect(xml).toContain('skipped="1"');
    expect(xml).toContain('<skipped message="needs postfix: missing"/>');
  });
});
