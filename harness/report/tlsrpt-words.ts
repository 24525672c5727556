/**
 * A run's TLS-RPT reports in one line each, for the text report: who reported on which domain and day, each policy's
 * session counts and result types, and how the report left.
 * @example `TLS-RPT relay → partner.test 2026-12-07: no-policy-found 1 successful, 2 failed (starttls-not-supported); sent: mailto:tlsrpt@partner.test delivered`
 */
import type { RunTlsRptReport, TlsRptDelivery } from '../tlsrpt/tlsrpt-run.js';

function deliveryWords(d: TlsRptDelivery): string {
  if (d.via === 'none') return `not sent (${d.problem ?? 'no record'})`;
  if (d.via === 'mail') return `${d.uri} ${d.outcome ?? 'queued'}`;
  return `${d.uri} ${d.status !== undefined ? `HTTP ${d.status}` : ''}${d.problem ? ` ${d.problem}` : ''}`.trimEnd();
}

/** One line per report. */
export function tlsRptLines(reports: readonly RunTlsRptReport[]): string[] {
  return reports.map((r) => {
    const policies = r.report.policies.map((p) => {
      const types = [...new Set((p['failure-details'] ?? []).map((d) => d['result-type']))];
      return `${p.policy['policy-type']} ${p.summary['total-successful-session-count']} successful, ${p.summary['total-failure-session-count']} failed${types.length ? ` (${types.join(', ')})` : ''}`;
    });
    const sent = r.deliveries.length ? r.deliveries.map(deliveryWords).join(', ') : 'not sent';
    return `TLS-RPT ${r.reporter} → ${r.policyDomain} ${r.day}: ${policies.join('; ')}; ${sent.startsWith('not sent') ? sent : `sent: ${sent}`}`;
  });
}
