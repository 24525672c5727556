/** The README's TLS-RPT section: its scenario runs to what it claims, and its `tlsrpt check` output is what the command prints. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { tlsRptCheckCommand } from '../../harness/cli/tlsrpt-command.js';

async function section(): Promise<string> {
  const readme = await readFile('README.md', 'utf8');
  const start = readme.indexOf('### TLS-RPT reports (RFC 8460)');
  return readme.slice(start, readme.indexOf('\n### ', start + 1));
}

describe('the README\'s TLS-RPT section', () => {
  it('its scenario holds every claim, the report sent by mail', async () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(await section())![1];
    const { scenario } = loadScenarioText(yaml, 'README.md');
    await using chain = await startChain(scenario);
    const report = await chain.run();
    expect(report.failures).toEqual([]);
    expect(report.expectations.filter((e) => e.key.startsWith('tlsRpt')).map((e) => [e.key, e.actual])).toEqual([
      ['tlsRpt partner.test day 1 policy', 'no-policy-found'],
      ['tlsRpt partner.test day 1 successful', '1'],
      ['tlsRpt partner.test day 1 failed', '1'],
      ['tlsRpt partner.test day 1 resultTypes', 'starttls-not-supported'],
      ['tlsRpt partner.test day 1 delivered', 'mail'],
    ]);
  });

  it('shows the violations tlsrpt check names for a report without an end date and with an unknown policy type', async () => {
    const shown = /```\n\$ mailhop tlsrpt check broken.json\n\.\.\.\n([\s\S]*?)```/.exec(await section())![1].trimEnd().split('\n');
    const dir = tempDir('tlsrpt');
    const file = path.join(dir, 'broken.json');
    await writeFile(file, JSON.stringify({
      'organization-name': 'Sender', 'date-range': { 'start-datetime': '2026-12-07T00:00:00Z' }, 'contact-info': 'tls@sender.example', 'report-id': 'r1',
      policies: [{ policy: { 'policy-type': 'dane', 'policy-domain': 'partner.test' }, summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 0 } }],
    }));
    const lines: string[] = [];
    expect(await tlsRptCheckCommand(file, (l) => lines.push(l))).toBe(1);
    expect(lines.slice(-shown.length)).toEqual(shown);
  });
});
