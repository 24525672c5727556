/**
 * Every report shows what the run's DNS answered and, per link of a sender that routes by MX, the policy that decided
 * it in plain words with its RFC 8460 failure types: text (and the JUnit output built on it), JSON, HTML and explain.
 * A run whose scenario has no dns: block shows none of it.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { runRecords } from '../support/chain.js';
import { renderScenario } from '../../harness/report/text-report.js';
import { renderJunit } from '../../harness/report/junit-report.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { renderJson } from '../../harness/report/json-report.js';
import { renderExplanation } from '../../harness/report/explain-report.js';

describe('reports of a chain that routes by MX under DANE', async () => {
  const loaded = await Promise.all([
    loadScenarioFile('scenarios/dns/two-domains-one-with-dane-split.yaml'),
    loadScenarioFile('scenarios/dns/tlsa-lookup-servfail-held.yaml'),
  ]);
  const [split, servfail] = await runRecords(loaded);

  it('text: the DNS answers, the policy of each MX link with its failures, and each copy\'s outcome', () => {
    const text = stripVTControlCharacters(renderScenario(split.report));
    expect(text).toContain('    DNS partner.test MX (DNSSEC-validated): 10 partner-mx.mailhop.test');
    expect(text).toContain('    DNS _25._tcp.other-mx.mailhop.test TLSA (DNSSEC-validated): no records');
    // A split message: each copy's outcome, the policy that decided its MX link, and where it stopped.
    expect(text).toMatch(
      /\n {4}m1 → partner\.test: deferred · held\n {6}policy relay->partner-mx: partner\.test publishes DANE for partner-mx\.mailhop\.test \(secure zone, 3 1 1 [0-9a-f]{16}…\): TLS required and authenticated by TLSA; failures: starttls-not-supported\n {6}stopped at relay: 450 4\.7\.4 TLS is required, but was not offered by host partner-mx\.mailhop\.test\n/,
    );
    expect(text).toContain('\n    m1 → other.test: delivered · broken\n      policy relay->other-mx: DNSSEC says other-mx.mailhop.test has no TLSA records, so DANE does not apply; nothing required TLS (the hop\'s tls: opportunistic)\n');
    expect(renderJunit([split])).toContain('policy relay-&gt;partner-mx: partner.test publishes DANE');
  });

  it('JSON: each link\'s policy source and failure types, and the answers', () => {
    const json = JSON.parse(renderJson([servfail.report])).scenarios[0];
    const link = json.links.find((l: { link: string }) => l.link === 'relay->mx');
    expect(link.policy.source).toBe('dane');
    expect(link.failures.map((f: { type: string }) => f.type)).toEqual(['dnssec-invalid']);
    expect(json.dns).toEqual([
      { name: 'partner.test', type: 'MX', outcome: 'answer', ad: true, answers: ['10 mx.mailhop.test'] },
      { name: '_25._tcp.mx.mailhop.test', type: 'TLSA', outcome: 'servfail', ad: false, answers: [] },
    ]);
  });

  it('HTML and explain: the answers and the deciding policy in words', () => {
    const html = renderHtml([servfail]);
    expect(html).toContain('<h3>DNS and the policy on each link</h3>');
    expect(html).toContain('_25._tcp.mx.mailhop.test TLSA: SERVFAIL (the zone is bogus or failing)');
    const explained = renderExplanation(servfail.scenario!, servfail.report, servfail.events).replace(/\s+/g, ' ');
    expect(explained).toContain('The run\'s DNS answered: partner.test MX (DNSSEC-validated): 10 mx.mailhop.test; _25._tcp.mx.mailhop.test TLSA: SERVFAIL (the zone is bogus or failing).');
    expect(explained).toContain('m1 never reached this link: the TLSA lookup failed (SERVFAIL): mx.mailhop.test is not used, and never in clear (RFC 7672 §2.2).');
  });

  it('shows nothing of DNS for a chain without a dns: block', async () => {
    const [plain] = await runRecords([await loadScenarioFile('scenarios/all-hops-offer-encrypted.yaml')]);
    expect(plain.report.dns).toBeUndefined();
    expect(plain.report.links.every((l) => l.policy === undefined && l.failures === undefined)).toBe(true);
    expect(stripVTControlCharacters(renderScenario(plain.report))).not.toMatch(/DNS|policy /);
  });
});
