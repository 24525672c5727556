/**
 * The per-session words of a link that DANE decided (RFC 7672 §3): the HTML report's attempts table and the session
 * summary (matcher failures, the web view) name DANE as the policy and the TLSA match as the check that was enforced.
 * Before, they said `mandatory` and "certificate not valid (CERT_HAS_EXPIRED), not enforced" on a link judged
 * tls-verified, and "certificate valid (not enforced)" on a session deferred for matching no TLSA record.
 */
import { describe, expect, test } from 'vitest';
import { loadScenarioFile, loadScenarios, startChain } from '../../harness/index.js';
import { renderLinkDetails } from '../../harness/report/html-links.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { runRecords } from '../support/chain.js';
import { sessionSummary } from '../../harness/report/link-evidence.js';
import type { SessionEvent } from '../../harness/trace/events.js';

/** Runs a bundled scenario; the HTML attempts table of `link` (its rows' cells as text) and its sessions. */
async function attemptsOf(name: string, link: string): Promise<{ rows: string[][]; sessions: SessionEvent[]; verdict: string }> {
  const { scenario, file } = await loadScenarioFile(`scenarios/${name}.yaml`);
  await using chain = await startChain(scenario, { file });
  const report = await chain.run();
  const events = chain.events();
  const linkReport = report.links.find((l) => l.link === link)!;
  const html = renderLinkDetails(report, events, linkReport);
  const body = /<table class="attempts">.*?<tbody>(.*?)<\/tbody>/.exec(html)?.[1] ?? '';
  const rows = [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1].replace(/<[^>]+>/g, '')));
  const sessions = events.filter((e): e is SessionEvent => e.kind === 'session' && e.link === link);
  return { rows, sessions, verdict: linkReport.verdict };
}

describe('a session under DANE, in the attempts table', () => {
  test('DANE-EE with an expired certificate: the TLSA match was enforced, the PKIX failure did not count', async () => {
    const { rows, sessions, verdict } = await attemptsOf('dns/dane-ee-expired-certificate-delivered-verified', 'relay->mx');
    expect(verdict).toBe('tls-verified');
    const matched = sessions[0].tlsPolicy?.matched ?? '';
    expect(matched).toMatch(/^3 1 1 [0-9a-f]{16}…$/);
    // attempt, policy, STARTTLS, TLS, content, result, reply
    expect(rows).toHaveLength(1);
    expect(rows[0][1]).toBe('mandatory (DANE)');
    expect(rows[0][3]).toBe(`TLSv1.3 TLS_AES_256_GCM_SHA384 · certificate matched TLSA ${matched} (enforced by DANE); not valid as PKIX (CERT_HAS_EXPIRED), which DANE-EE ignores`);
    expect(rows[0].slice(4, 6)).toEqual(['encrypted', 'relayed']);
    expect(sessionSummary(sessions[0])).toMatch(/^policy mandatory \(DANE\) · STARTTLS sent -> 220 2\.0\.0 Ready to start TLS · TLS TLSv1\.3 \S+, certificate matched TLSA 3 1 1 [0-9a-f]{16}… \(enforced by DANE\); not valid as PKIX \(CERT_HAS_EXPIRED\), which DANE-EE ignores · content sent encrypted · relayed: 250 /);
  });

  test('TLSA of an old key after a roll: no record matched, and that is why every attempt was deferred', async () => {
    const { rows, verdict } = await attemptsOf('dns/tlsa-old-key-after-roll-held', 'relay->mx');
    expect(verdict).toBe('refused');
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row[1]).toBe('mandatory (DANE)');
      expect(row[3]).toBe('TLSv1.3 TLS_AES_256_GCM_SHA384 · certificate matched no TLSA record (enforced by DANE)');
      expect(row.slice(4)).toEqual(['—', 'deferred', '451 4.7.5 Server certificate not verified (no TLSA record matched)']);
    }
  });

  test('MTA-STS enforce names its policy; a link without DNS policy keeps the old words', async () => {
    const sts = await attemptsOf('dns/mta-sts-enforce-expired-certificate-held', 'relay->mx');
    expect(sts.rows[0][1]).toBe('verify (MTA-STS enforce)');
    expect(sts.rows[0][3]).toBe('TLSv1.3 TLS_AES_256_GCM_SHA384 · certificate not valid (CERT_HAS_EXPIRED)');
    const client = await attemptsOf('dns/mta-sts-enforce-expired-certificate-held', 'client->relay');
    expect(client.rows[0][1]).toBe('opportunistic');
    expect(client.rows[0][3]).toBe('TLSv1.3 TLS_AES_256_GCM_SHA384 · certificate valid (not enforced)');
  });
});

describe('the witnesses column of the HTML link table', () => {
  test('a link DANE refused reads "no TLS" for what each witness saw, never the verdict word plain', async () => {
    const runs = await runRecords(await loadScenarios(['scenarios/dns/dane-strip-starttls-held.yaml']));
    // Nothing crossed in clear: every session on relay->mx stopped after the stripped EHLO reply.
    expect(runs[0].report.links.find((l) => l.link === 'relay->mx')?.verdict).toBe('refused');
    const html = renderHtml(runs);
    // The link table's rows, each with its last cell (witnesses).
    const rows = [...html.matchAll(/<tr data-link="([^"]+)">(.*?)<\/tr>/g)];
    const cells = (link: string) => rows.filter((m) => m[1] === link).map((m) => [...m[2].matchAll(/<td[^>]*>(.*?)<\/td>/g)].at(-1)![1]);
    expect(cells('relay-&gt;mx')).toEqual(['sender no TLS, wire no TLS']);
    expect(cells('client-&gt;relay')).toEqual(['sender TLS, wire TLS, receiver TLS']);
  });
});
