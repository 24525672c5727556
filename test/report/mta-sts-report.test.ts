/**
 * Every report shows the MTA-STS fetch and the policy that decided each MX link in plain words, with the RFC 8460
 * failure types: text, JSON, HTML and explain.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { runRecords } from '../support/chain.js';
import { renderScenario } from '../../harness/report/text-report.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { renderJson } from '../../harness/report/json-report.js';
import { renderExplanation } from '../../harness/report/explain-report.js';

describe('reports of a chain that routes by MX under MTA-STS', async () => {
  const loaded = await Promise.all([
    loadScenarioFile('scenarios/dns/mta-sts-policy-host-down-cached-policy-held.yaml'),
    loadScenarioFile('scenarios/dns/mta-sts-enforce-mx-not-in-policy-held.yaml'),
  ]);
  const [cached, mismatch] = await runRecords(loaded);
  const REFRESH = 'partner.test: GET https://mta-sts.partner.test/.well-known/mta-sts.txt at 127.89.0.2: failed; the fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.89.0.2:443), but the cached policy (id 20261101, mode enforce, mx *.mailhop.test, max_age 604800) applies until it expires (RFC 8461 §3.3) (sts-policy-fetch-error)';

  it('text: the fetch, the cached policy that still applied, and the policy of the MX link with its failures', () => {
    const text = stripVTControlCharacters(renderScenario(cached.report));
    expect(text).toContain(`    MTA-STS ${REFRESH}\n`);
    expect(text).toContain('    policy relay->mx: partner.test publishes MTA-STS enforce (id 20261101, cached), mx.mailhop.test matches *.mailhop.test: TLS required with a certificate valid for mx.mailhop.test; failures: sts-policy-fetch-error, starttls-not-supported\n');
    expect(text).toContain('    DNS mta-sts.partner.test A (not validated): 127.89.0.2\n');
  });

  it('JSON: the discovery, and the link\'s policy source and failure types', () => {
    const json = JSON.parse(renderJson([mismatch.report])).scenarios[0];
    expect(json.mtaSts).toEqual([
      {
        domain: 'partner.test',
        fetch: { url: 'https://mta-sts.partner.test/.well-known/mta-sts.txt', ok: true, address: '127.89.0.2', status: 200, contentType: 'text/plain' },
        policy: { id: '20261201', mode: 'enforce', mx: ['mail.partner.test'], maxAge: 604800, from: 'fetched' },
        decision: 'fetched: mode enforce, mx mail.partner.test, max_age 604800',
      },
      {
        domain: 'partner.test',
        policy: { id: '20261201', mode: 'enforce', mx: ['mail.partner.test'], maxAge: 604800, from: 'cache' },
        decision: 'policy id 20261201 unchanged: the cached policy (mode enforce, mx mail.partner.test, max_age 604800) applies',
      },
    ]);
    const link = json.links.find((l: { link: string }) => l.link === 'relay->mx');
    expect([link.verdict, link.policy.source, link.failures.map((f: { type: string }) => f.type)]).toEqual(['none', 'mta-sts', ['validation-failure']]);
    expect(mismatch.report.messages[0].links[1].failures?.length).toBe(4); // one per attempt, +0 to +30m: no connection any time
  });

  it('HTML and explain: the fetch and the deciding policy in words', () => {
    const html = renderHtml([cached]);
    expect(html).toContain(`<li>MTA-STS ${REFRESH.replace(/'/g, '&#39;')}</li>`);
    const explained = renderExplanation(cached.scenario!, cached.report, cached.events).replace(/\s+/g, ' ');
    expect(explained).toContain(`MTA-STS: ${REFRESH}.`);
    expect(explained).toContain('relay relayed m1 to mx under MTA-STS: partner.test publishes MTA-STS enforce (id 20261101, cached), mx.mailhop.test matches *.mailhop.test: TLS required with a certificate valid for mx.mailhop.test.');
  });
});
