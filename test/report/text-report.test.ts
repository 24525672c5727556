import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenarios } from '../../harness/index.js';
import { runRecords } from '../support/chain.js';
import { renderScenario } from '../../harness/report/text-report.js';
import { failedReport } from '../../harness/chain/run-scenarios.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';
import type { HeaderAccount } from '../../harness/verdict/header-reconstruction.js';

const ANSI = /\x1b\[[0-9;]*m/g;
const text = (report: ScenarioReport) => renderScenario(report).replace(ANSI, '').split('\n');

let enull: ScenarioReport;
let clean: ScenarioReport;
let messagelabs: ScenarioReport;

beforeAll(async () => {
  const runs = await runRecords(
    await loadScenarios(['scenarios/enull-cipher-says-esmtps-but-is-not-encrypted.yaml', 'scenarios/all-hops-verify-encrypted-verified.yaml', 'scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml']),
  );
  [enull, clean, messagelabs] = runs.map((r) => r.report);
});

describe('renderScenario: what the Received headers say', () => {
  test('an eNULL link the mailbox wrote as ESMTPS: the claim, the wire and what a recipient would get wrong', () => {
    const lines = text(enull);
    const at = lines.indexOf('    ⚠ Received headers of m1 disagree with the wire on 1 of 2 links:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '        relay->mailbox: the headers say TLS (with ESMTPS, TLSv1.2 TLS_ECDHE_ECDSA_WITH_NULL_SHA); the wire: in clear (downgraded)',
      '          a recipient would believe this link was encrypted, but the content crossed in clear (eNULL cipher TLS_ECDHE_ECDSA_WITH_NULL_SHA: TLS framing without encryption)',
    ]);
    // Only the disagreeing link is listed; the one that agrees is counted in the summary.
    expect(lines.join('\n')).not.toContain('client->relay: the headers say');
    expect(lines.join('\n')).not.toContain('match the wire');
  });

  test('headers that agree with the wire are one line', () => {
    const lines = text(clean);
    expect(lines).toContain('    ✔ Received headers of m1 match the wire on all 3 links');
    expect(lines.join('\n')).not.toContain('⚠');
  });

  test('messages that agree share one line; a header walk that stopped is told as such; no delivery, no line', () => {
    const account = (messageId: string, link: string, over: Partial<HeaderAccount> = {}): HeaderAccount => ({
      messageId,
      link,
      believed: 'tls',
      actual: 'tls',
      agrees: true,
      header: `from x by ${link.split('->')[1]}.mailhop.test with ESMTPS`,
      claim: { rule: 'with', protocol: 'ESMTPS' },
      ...over,
    });
    const report: ScenarioReport = {
      ...clean,
      headers: [
        account('m1', 'client->relay'),
        account('m1', 'relay->mailbox'),
        account('m2', 'client->relay'),
        account('m2', 'relay->mailbox'),
        account('m3', 'client->relay', { believed: 'unknown', agrees: false, header: undefined, claim: undefined }),
        account('m3', 'relay->mailbox'),
      ],
    };
    const lines = text(report);
    expect(lines).toContain('    ✔ Received headers of m1, m2 match the wire on both links');
    const at = lines.indexOf('    ⚠ Received headers of m3 disagree with the wire on 1 of 2 links:');
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '        client->relay: the headers say nothing a recipient can trust (no trusted Received header for this link); the wire: encrypted',
      '          a recipient cannot tell from the headers how this link went',
    ]);
    expect(text({ ...clean, headers: [] }).join('\n')).not.toContain('Received headers');
  });

  test('a chain that never started shows why, without an empty table or end-to-end line', async () => {
    const scenario = Scenario.parse({ name: 'never-started', hops: [{ id: 'mx' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    const report = failedReport(scenario, 'x.yaml', 'the chain failed: container runtime unavailable: no container engine');
    expect(text(report)).toEqual(['✘ never-started  x.yaml', '    ✘ the chain failed: container runtime unavailable: no container engine']);
  });

  test('the README shows what renderScenario prints', async () => {
    const readme = await readFile('README.md', 'utf8');
    const block = (after: string) => readme.slice(readme.indexOf('```\n', readme.indexOf(after)) + 4).split('\n```')[0].split('\n');
    expect(block('`npx mailhop run scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml` prints')).toEqual(text(messagelabs));
    const enullLines = text(enull);
    const example = block('The text and HTML reports render it');
    expect(enullLines.slice(enullLines.indexOf(example[0]), enullLines.indexOf(example[0]) + 3)).toEqual(example);
  });
});
