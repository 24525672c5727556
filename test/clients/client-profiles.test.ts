/**
 * Real SMTP clients as the first sender (`submit: { sender: app }`), each against every scenario in scenarios/clients/:
 * nodemailer, Python's smtplib, swaks and curl, in the TLS modes their users pick (test/support/smtp-clients.ts). What
 * each did is read from the report (the submission link's verdict, judged from the wire and the first hop, and
 * credentials in clear) and must match its profile below, which the README's table shows. A client missing from this
 * machine skips with the reason (.ci/run installs them).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { CLIENTS, clientMissing } from '../support/smtp-clients.js';
import { readFileSync } from 'node:fs';
import { PROFILES, profileCell, profileTable } from './profiles.js';

// scenarios/clients/app-*.yaml leave the submission to the application; the others drive mailhop's own client.
const files = readdirSync('scenarios/clients').filter((f) => f.startsWith('app-') && f.endsWith('.yaml')).sort();

describe('real clients as the first sender', () => {
  it('profiles every scenario of scenarios/clients/ (at least 10) for every client', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(PROFILES).sort()).toEqual(files.map((f) => f.replace(/\.yaml$/, '')));
    for (const row of Object.values(PROFILES)) expect(Object.keys(row)).toEqual(CLIENTS.map((c) => c.name));
  });

  it('is the table the README shows', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(profileTable());
  });

  for (const client of CLIENTS) {
    const missing = clientMissing(client);
    it.skipIf(missing !== undefined).for(files)(`${client.name}${missing ? ` (skipped: ${missing})` : ''}: %s`, async (f) => {
      const { scenario, file } = await loadScenarioFile(`scenarios/clients/${f}`);
      await using chain = await startChain(scenario, { file });
      const first = scenario.hops[0];
      const credentials = first.engine === 'mock' && first.inbound.auth ? { user: 'app', pass: 's3cret' } : undefined;
      const { id } = chain.expectSubmission();
      const sent = await client.send(chain.submission(), credentials);
      const report = await chain.run();
      const m = report.messages.find((x) => x.messageId === id)!;
      const observed = profileCell(m.links[0].verdict, m.outcome, report.links[0].credentialsInClear !== undefined, sent.ok, believedInjected(sent.output));
      expect({ observed, claimHeld: report.passed }, `${client.name} on ${scenario.name}: ${sent.output}\n${m.links[0].notes.join('\n')}`)
        .toEqual(PROFILES[scenario.name][client.name]);
    });
  }
});

/**
 * Whether the client read the injected lines of app-injected-response.yaml (`250-evil.mailhop.test`) as a reply inside
 * TLS, by its own account: the EHLO reply the Python drivers print, swaks's `<~` lines. nodemailer and curl print no
 * dialogue; the wire shows the first stayed on TLS and delivered, the second closed before any handshake.
 */
function believedInjected(output: string): boolean {
  return /^(EHLO reply inside TLS: |<~\s+250[- ])evil\.mailhop\.test/m.test(output);
}
