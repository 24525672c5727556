/**
 * Plain words for what the run's DNS answered and for the policy that decided each link of a sender that routes by
 * MX, shared by the text, JUnit, HTML and explain renderers. Pure: report parts in, sentences out.
 */
import type { DnsAnswer, LinkReport } from '../verdict/judge-scenario.js';

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
