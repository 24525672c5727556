import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenarios } from '../../harness/index.js';
import { runRecords } from '../support/chain.js';
import { renderJunit, xmlEscape } from '../../harness/report/junit-report.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';

let reports: ScenarioReport[];

beforeAll(async () => {
  const loaded = await loadScenarios(['scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml', 'scenarios/all-hops-offer-encrypted.yaml']);
  const runs = await runRecords(loaded);
  // The second one, judged against a claim it does not meet (what a regression looks like).
  const failed = runs[1].report;
  reports = [
    runs[0].report,
    { ...failed, passed: false, failures: ['expected relay->mailbox downgraded, got tls'], expectations: [{ key: 'relay->mailbox', expected: 'downgraded', actual: 'tls', held: false }] },
  ];
});

describe('renderJunit', () => {
  test('one testcase per scenario; a failed one carries the failure and its link table', () => {
    const xml = renderJunit(reports);
    expect(xml.split('\n').slice(0, 4)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="mailhop" tests="2" failures="1" errors="0" skipped="0">',
      '  <testsuite name="mailhop" tests="2" failures="1" errors="0" skipped="0">',
      '    <testcase name="messagelabs-plaintext-inbound-not-upgraded" classname="mailhop.scenarios" file="scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml">',
    ]);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    const failure = xml.slice(xml.indexOf('<failure '), xml.indexOf('</failure>'));
    expect(failure).toContain('message="expected relay-&gt;mailbox downgraded, got tls" type="mailhop.expectation">✘ all-hops-offer-encrypted');
    expect(failure).toMatch(/relay-&gt;mailbox +🔒 tls +TLSv1\.3/);
    expect(failure).toContain('✘ expected relay-&gt;mailbox downgraded, got tls');
    expect(xml).not.toMatch(/\x1b\[/); // no terminal colours
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  test('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape('a<b>&"c"\'\x07')).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;');
  });
});
