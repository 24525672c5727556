/**
 * The reporting step of a run (RFC 8460 §5): when the scenario's mail has settled, every reporting hop builds its
 * reports from the trace (build-reports.ts) and sends each where the policy domain's `_smtp._tls` TXT record says,
 * looked up in the run's DNS as a reporter would: `rua=mailto:` as a report message into the reporting hop's own
 * queue, which relays it by MX like any mail (report-mail.ts, with `TLS-Required: No`); `rua=https:` POSTed to
 * mailhop's endpoint on loopback (report-endpoint.ts). No record, or an unusable one: the report is kept, not sent.
 * Reports are sent when the run's mail has settled, not at the end of each virtual day.
 */
import type { Scenario } from '../scenario/schema.js';
import type { TraceEvent } from '../trace/events.js';
import type { KeyCert } from '../pki/run-pki.js';
import { dnsLookup, type DnsServerAddress } from '../dns/dns-lookup.js';
import { presentAnswers } from '../mta/mx-delivery.js';
import { buildTlsRptReports, type BuiltReport } from './build-reports.js';
import { parseTlsRptRecord, refusedHttps, type ReportUri } from './tlsrpt-record.js';
import { composeReportMail } from './report-mail.js';
import { gzipReport, reportFilename } from './report-files.js';
import { postReport, startReportEndpoint, type StartedReportEndpoint } from './report-endpoint.js';
import type { RunTlsRptReport, TlsRptDelivery } from './tlsrpt-run.js';

/** What the reporting step needs of the running chain. */
export interface ReportingChain {
  scenario: Scenario;
  events(): readonly TraceEvent[];
  /** The UTC date of virtual 0, `YYYY-MM-DD`. */
  day0: string;
  /** The run's DNS server. */
  dns?: DnsServerAddress;
  /** Issues a message id of the chain. */
  issueId(): string;
  /** Puts a message into a hop's queue (one copy, for `destination`). */
  enqueue(hop: string, message: { id: string; from: string; to: string[]; raw: Buffer; destination: string }): void;
  /** The virtual now, for the report mail's Date. */
  date(): Date;
  /** The run's CA certificate (PEM), to check the endpoint's. */
  ca: string;
  /** A certificate for the endpoint's name (report-endpoint.ts ENDPOINT_NAME) issued by the run's CA. */
  endpointCert(): Promise<KeyCert>;
  /** Endpoints started here, kept by the chain to stop them and read what they received. */
  endpoints: Map<string, StartedReportEndpoint>;
}

/** A reporting hop's options as the report builder takes them. */
export function reporterOptions(scenario: Scenario, hop: string, day0: string, exclude?: ReadonlySet<string>) {
  const spec = scenario.hops.find((h) => h.id === hop && h.engine === 'mock') as { tlsRpt?: { organizationName?: string; contactInfo?: string } } | undefined;
  return {
    hop, day0, ...(exclude ? { exclude } : {}),
    organizationName: spec?.tlsRpt?.organizationName ?? `mailhop ${hop}`,
    contactInfo: spec?.tlsRpt?.contactInfo ?? `mailto:postmaster@${hop}.mailhop.test`,
  };
}

/** The ids of the hops that report. */
export function reportingHops(scenario: Scenario): string[] {
  return scenario.hops.flatMap((h) => (h.engine === 'mock' && h.tlsRpt ? [h.id] : []));
}

/** Builds and sends every report; returns them with how each left. Never throws for a report that cannot go. */
export async function sendTlsRptReports(chain: ReportingChain): Promise<RunTlsRptReport[]> {
  const out: RunTlsRptReport[] = [];
  for (const hop of reportingHops(chain.scenario)) {
    const submitter = `${hop}.mailhop.test`;
    for (const built of buildTlsRptReports(chain.events(), reporterOptions(chain.scenario, hop, chain.day0))) {
      const found = await recordOf(chain, built.policyDomain);
      const deliveries = 'rua' in found
        ? await Promise.all(found.rua.map((uri) => deliver(chain, hop, submitter, built, uri)))
        : [{ via: 'none' as const, problem: found.problem }];
      out.push({ reporter: hop, submitter, policyDomain: built.policyDomain, day: built.day, filename: reportFilename(submitter, built), report: built.report, deliveries });
    }
  }
  return out;
}

/** The policy domain's TLS-RPT record from the run's DNS (RFC 8460 §3: exactly one `v=TLSRPTv1` TXT record). */
async function recordOf(chain: ReportingChain, domain: string): Promise<{ rua: ReportUri[] } | { problem: string }> {
  const name = `_smtp._tls.${domain}`;
  if (!chain.dns) return { problem: `no DNS in the run to look ${name} up in` };
  const found = await dnsLookup(chain.dns, name, 'TXT', 1_000);
  if (found.outcome !== 'answer') return { problem: `the TXT lookup of ${name} answered ${found.outcome.toUpperCase()}` };
  const records = presentAnswers(found).filter((t) => /^v=TLSRPTv1\s*(;|$)/.test(t));
  if (records.length !== 1) return { problem: records.length === 0 ? `no TLS-RPT record at ${name}` : `${records.length} TLS-RPT records at ${name}: none is used (RFC 8460 §3)` };
  return parseTlsRptRecord(records[0]);
}

async function deliver(chain: ReportingChain, hop: string, submitter: string, built: BuiltReport, uri: ReportUri): Promise<TlsRptDelivery> {
  if (uri.kind === 'mailto') {
    const id = chain.issueId();
    const from = `tlsrpt@${submitter}`;
    const raw = await composeReportMail(built, { from, to: uri.address, submitter, date: chain.date(), headers: { 'X-Mailhop-Id': id } });
    chain.enqueue(hop, { id, from, to: [uri.address], raw, destination: uri.address.slice(uri.address.lastIndexOf('@') + 1).toLowerCase() });
    return { via: 'mail', uri: uri.uri, messageId: id };
  }
  const refused = refusedHttps(uri);
  if (refused) return { via: 'https', uri: uri.uri, problem: refused };
  const key = `${uri.url.hostname}:${uri.url.port}`;
  let endpoint = chain.endpoints.get(key);
  if (!endpoint) {
    endpoint = await startReportEndpoint(uri.url.hostname, Number(uri.url.port || 0), await chain.endpointCert());
    chain.endpoints.set(key, endpoint);
  }
  const sent = await postReport(endpoint.address, uri.url, gzipReport(built), chain.ca);
  return { via: 'https', uri: uri.uri, ...(sent.status !== undefined ? { status: sent.status } : {}), ...(sent.error ? { problem: sent.error } : {}) };
}


/**
 * The reports as the final trace makes them, the report mail's sessions left out (`mailIds`), each with how the one
 * sent for the same reporter, domain and day left (none, when the reporting step did not run).
 */
export function finalReports(scenario: Scenario, events: readonly TraceEvent[], day0: string, sent: readonly RunTlsRptReport[], mailIds: ReadonlySet<string>): RunTlsRptReport[] {
  return reportingHops(scenario).flatMap((hop) =>
    buildTlsRptReports(events, reporterOptions(scenario, hop, day0, mailIds)).map((built): RunTlsRptReport => {
      const submitter = `${hop}.mailhop.test`;
      const was = sent.find((r) => r.reporter === hop && r.policyDomain === built.policyDomain && r.day === built.day);
      return { reporter: hop, submitter, policyDomain: built.policyDomain, day: built.day, filename: reportFilename(submitter, built), report: built.report, deliveries: was?.deliveries ?? [] };
    }));
}
