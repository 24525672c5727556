/**
 * Plain words for what the run's DNS answered and for the policy that decided each link of a sender that routes by
 * MX, shared by the text, JUnit, HTML and explain renderers. Pure: report parts in, sentences out.
 */
import type { DnsAnswer, LinkReport, StsDiscovery } from '../verdict/judge-scenario.js';

const OUTCOME_WORDS: Record<string, string> = {
  nxdomain: 'no such name',
  servfail: 'SERVFAIL (the zone is bogus or failing)',
  refused: 'refused (no zone)',
  timeout: 'no answer (timed out)',
};

/** One DNS answer, e.g. `partner.test MX (DNSSEC-validated): 10 mx.mailhop.test`. */
export function dnsAnswerWords(a: DnsAnswer): string {
  const what = a.outcome === 'answer' ? (a.answers.length ? a.answers.join(', ') : 'no records') : OUTCOME_WORDS[a.outcome] ?? a.outcome;
  const validated = a.outcome === 'answer' || a.outcome === 'nxdomain' ? (a.ad ? ' (DNSSEC-validated)' : ' (not validated)') : '';
  return `${a.name} ${a.type}${validated}: ${what}`;
}

/**
 * The policy that decided a link, and its failures by RFC 8460 result type, e.g. `relay->mx: partner.test publishes
 * DANE for mx.mailhop.test (…): TLS required and authenticated by TLSA; the certificate matched 3 1 1 …`.
 * Undefined for a link whose sender does not route by MX.
 */
export function linkPolicyWords(link: Pick<LinkReport, 'link' | 'policy' | 'failures'>): string | undefined {
  if (!link.policy) return undefined;
  const matched = link.policy.matched ? `; the certificate matched ${link.policy.matched}` : '';
  const failures = link.failures?.length ? `; failures: ${link.failures.map((f) => f.type).filter((t, i, all) => all.indexOf(t) === i).join(', ')}` : '';
  return `${link.link}: ${link.policy.words}${matched}${failures}`;
}

/**
 * One MTA-STS discovery, e.g. `partner.test: GET https://mta-sts.partner.test/.well-known/mta-sts.txt at 127.89.0.2:
 * 200 text/plain; fetched: mode enforce, mx *.mailhop.test, max_age 604800`, or with the failure's result type.
 */
export function stsDiscoveryWords(d: StsDiscovery): string {
  const f = d.fetch;
  const fetch = f ? `GET ${f.url}${f.address ? ` at ${f.address}` : ''}: ${f.ok ? `${f.status} ${f.contentType}` : 'failed'}; ` : '';
  return `${d.domain}: ${fetch}${d.decision}${d.failure ? ` (${d.failure})` : ''}`;
}
