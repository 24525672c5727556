/**
 * `expect.tlsRpt` checked against the run's TLS-RPT reports (tlsrpt/tlsrpt-run.ts): each claim names one report
 * (reporter, policy domain, virtual day) and says what its policies' counts and result types are, and how it left.
 * Pure; one Expectation per claimed key, keyed `tlsRpt <domain> day <n> <what>`.
 */
import type { TlsRptClaim } from '../scenario/tlsrpt-spec.js';
import type { RunTlsRptReport, TlsRptRun } from '../tlsrpt/tlsrpt-run.js';
import type { OutcomeName } from '../scenario/schema.js';
import type { Expectation } from './expectation.js';

const DAY_MS = 86_400_000;

/** The expectations of `claims` over `run` (absent: the run produced no TLS-RPT part, so every claim fails). */
export function tlsRptExpectations(claims: readonly TlsRptClaim[] | undefined, run: TlsRptRun | undefined, day0: string | undefined): Expectation[] {
  const out: Expectation[] = [];
  for (const claim of claims ?? []) {
    const reports = run?.reports ?? [];
    const day = day0 ? new Date(Date.parse(`${day0}T00:00:00Z`) + (claim.day - 1) * DAY_MS).toISOString().slice(0, 10) : undefined;
    const report = reports.find((r) => (claim.reporter === undefined || r.reporter === claim.reporter) && r.policyDomain === claim.domain && (day === undefined || r.day === day));
    const key = (what: string) => `tlsRpt ${claim.domain} day ${claim.day} ${what}`;
    const check = (what: string, expected: string | undefined, actual: string) => {
      if (expected !== undefined) out.push({ key: key(what), expected, actual, held: expected === actual });
    };
    const policies = report ? report.report.policies.filter((p) => claim.policy === undefined || p.policy['policy-type'] === claim.policy) : [];
    if (!report) {
      out.push({ key: key('report'), expected: 'a report', actual: reports.length ? `none (reports: ${reports.map((r) => `${r.policyDomain} ${r.day}`).join(', ')})` : 'no report', held: false });
      continue;
    }
    if (claim.policy !== undefined) {
      check('policy', claim.policy, policies.length ? claim.policy : report.report.policies.map((p) => p.policy['policy-type']).join(', ') || 'none');
    }
    const sum = (k: 'total-successful-session-count' | 'total-failure-session-count') => String(policies.reduce((n, p) => n + p.summary[k], 0));
    check('successful', claim.successful?.toString(), sum('total-successful-session-count'));
    check('failed', claim.failed?.toString(), sum('total-failure-session-count'));
    const types = [...new Set(policies.flatMap((p) => (p['failure-details'] ?? []).map((d) => d['result-type'])))].sort();
    check('resultTypes', claim.resultTypes ? [...new Set(claim.resultTypes)].sort().join(', ') || 'none' : undefined, types.join(', ') || 'none');
    if (claim.delivered !== undefined) {
      const as = deliveredAs(report);
      out.push({ key: key('delivered'), expected: claim.delivered, actual: as.why ? `${as.via} (${as.why})` : as.via, held: as.via === claim.delivered });
    }
  }
  return out;
}

/** How a report left: `mail` when a report message was delivered, `https` when the endpoint answered 2xx, else `none`, with what happened. */
function deliveredAs(report: RunTlsRptReport): { via: 'mail' | 'https' | 'none'; why?: string } {
  if (report.deliveries.some((d) => d.via === 'mail' && d.outcome === 'delivered')) return { via: 'mail' };
  if (report.deliveries.some((d) => d.via === 'https' && d.status !== undefined && d.status >= 200 && d.status < 300)) return { via: 'https' };
  const why = report.deliveries.map((d) => (d.via === 'none' ? d.problem : `${d.via} ${d.uri}: ${d.problem ?? d.outcome ?? d.status}`)).join('; ');
  return why ? { via: 'none', why } : { via: 'none' };
}

/** The TLS-RPT part of the scenario report: each report mail's outcome filled in (`outcomeOf`, judged from the trace). */
export function tlsRptPart(run: TlsRptRun, outcomeOf: (id: string) => OutcomeName | 'mixed'): TlsRptRun {
  return {
    posts: run.posts,
    reports: run.reports.map((r) => ({ ...r, deliveries: r.deliveries.map((d) => (d.messageId ? { ...d, outcome: outcomeOf(d.messageId) } : d)) })),
  };
}
