/**
 * TLS-RPT aggregate reports (RFC 8460 §4) of one sending hop, from the run's trace: a pure function, no sockets.
 *
 * What counts is SMTP sessions, not messages (RFC 8460 §4.4 `total-*-session-count`): each connection the hop
 * opened to an MX host of a policy domain once (a transaction on a kept session is not another session), plus each
 * MX host a DNS answer made unusable before any connection (`dnssec-invalid`, `dane-required`: an attempted session
 * that failed). A session is successful when TLS was established and the policy in force accepted it. Not counted:
 * a connection that skipped STARTTLS on purpose after a failed one (`plaintextRetry`: the failure is already counted
 * on the connection that failed), a session under `tls: none` (no TLS was tried), a connection that failed before
 * any EHLO reply (no TLS negotiation took place), and the messages in `exclude` (the reports' own mail, so that a
 * report is not counted in the next one).
 *
 * One report per policy domain (the copy's recipient domain, RFC 8460 §3) and virtual UTC day: virtual 0 is
 * 00:00:00Z of `day0`, so runs give the same reports whenever they start.
 */
import type { DnsEvent, SessionEvent, TraceEvent } from '../trace/events.js';
import { resultTypeOf, type ResultType } from './result-types.js';
import type { FailureDetails, PolicyResult, PolicyType, TlsRptReport } from './tlsrpt-report.js';

/** Who reports, and over what. */
export interface ReporterOptions {
  /** The reporting hop's id: its sessions are counted. */
  hop: string;
  /** RFC 8460 §4.4 `organization-name`. */
  organizationName: string;
  /** RFC 8460 §4.4 `contact-info`, e.g. `mailto:tlsrpt@org.test`. */
  contactInfo: string;
  /** The UTC date of virtual 0, `YYYY-MM-DD` (the run's start date). */
  day0: string;
  /** Message ids whose sessions are not counted (mailhop's own report mail). */
  exclude?: ReadonlySet<string>;
}

/** A built report and what it is about. */
export interface BuiltReport {
  /** The domain the report is for (whose `_smtp._tls` record says where it goes). */
  policyDomain: string;
  /** `YYYY-MM-DD`, the UTC day it covers. */
  day: string;
  report: TlsRptReport;
}

const DAY_MS = 86_400_000;

/** One counted session: its day, domain, policy, and failure (none for a success). */
interface Counted {
  day: number;
  domain: string;
  policy: PolicyResult['policy'];
  failure?: Omit<FailureDetails, 'failed-session-count'>;
}

/**
 * The reports of `options.hop` over `events`, sorted by day then policy domain.
 * @param events the trace in order (`hop-started` events give hostnames and addresses).
 */
export function buildTlsRptReports(events: readonly TraceEvent[], options: ReporterOptions): BuiltReport[] {
  const hosts = new Map<string, { hostname?: string; ip: string }>();
  for (const e of events) if (e.kind === 'hop-started') hosts.set(e.hop, { hostname: e.hostname, ip: e.address.host });
  const sendingIp = hosts.get(options.hop)?.ip ?? '127.0.0.1';
  const receiver = (link: string) => {
    const to = link.slice(link.indexOf('->') + 2);
    const h = hosts.get(to);
    return { 'receiving-mx-hostname': h?.hostname ?? to, 'receiving-ip': h?.ip ?? sendingIp };
  };
  const tlsa = tlsaAnswers(events, options.hop);
  const counted: Counted[] = [];
  for (const e of events) {
    if (e.kind === 'session') {
      const c = countedSession(e, options, tlsa);
      if (c) counted.push(c.failure ? { ...c, failure: { ...c.failure, 'sending-mta-ip': sendingIp, ...receiver(e.link) } } : c);
    } else if (e.kind === 'dns' && e.hop === options.hop && e.failure && !options.exclude?.has(e.messageId)) {
      counted.push(lookupFailure(e, sendingIp, receiver(e.link)));
    }
  }
  return assemble(counted, options);
}

/** TLSA answers by `<link>\0<destination>`, as published (RFC 8460 §4.4: the policy string of a `tlsa` policy). */
function tlsaAnswers(events: readonly TraceEvent[], hop: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events) {
    if (e.kind !== 'dns' || e.hop !== hop || e.type !== 'TLSA' || e.answers.length === 0) continue;
    out.set(`${e.link}\0${e.destination}`, e.answers);
  }
  return out;
}

function policyOf(s: SessionEvent, domain: string, tlsa: Map<string, string[]>): PolicyResult['policy'] {
  const source = s.tlsPolicy?.source;
  const type: PolicyType = source === 'dane' ? 'tlsa' : source === 'mta-sts' ? 'sts' : 'no-policy-found';
  if (type === 'no-policy-found') return { 'policy-type': type, 'policy-domain': domain };
  const strings = s.tlsPolicy?.policyString ?? (type === 'tlsa' ? tlsa.get(`${s.link}\0${domain}`) : undefined) ?? [];
  return { 'policy-type': type, 'policy-string': strings, 'policy-domain': domain, ...(s.tlsPolicy?.mxHost ? { 'mx-host': s.tlsPolicy.mxHost } : {}) };
}

/** A session of the reporter's, counted once per connection, or undefined when it does not count (see the file comment). */
function countedSession(s: SessionEvent, options: ReporterOptions, tlsa: Map<string, string[]>): Counted | undefined {
  if (s.hop !== options.hop || s.destination === undefined || options.exclude?.has(s.messageId)) return undefined;
  if (s.sharedSession || s.plaintextRetry || s.policy === 'none' || s.starttlsAdvertised === null) return undefined;
  const base = { day: Math.floor(s.at / DAY_MS), domain: s.destination, policy: policyOf(s, s.destination, tlsa) };
  if (s.tls && !s.tlsFailure) return base;
  const type: ResultType = s.tlsFailure ? resultTypeOf(s.tlsFailure.type) : 'starttls-not-supported';
  const reply = s.starttlsReply && s.starttlsReply.code !== 220 ? s.starttlsReply : undefined;
  // The reply's text carries its code (reply-reader.ts); an event written by hand may not.
  const reason = reply ? (reply.text.startsWith(String(reply.code)) ? reply.text : `${reply.code} ${reply.text}`) : s.tlsFailure?.detail ?? 'STARTTLS not in the EHLO reply';
  return {
    ...base,
    failure: {
      'result-type': type, 'sending-mta-ip': '', 'receiving-mx-hostname': '', 'receiving-ip': '',
      'additional-information': `mailhop:link/${encodeURIComponent(s.link)}`, 'failure-reason-code': reason,
    },
  };
}

/** An MX host a DNS answer made unusable (RFC 8460 §4.3.2.1): a failed session under the domain's DANE policy. */
function lookupFailure(e: DnsEvent, sendingIp: string, to: { 'receiving-mx-hostname': string; 'receiving-ip': string }): Counted {
  return {
    day: Math.floor(e.at / DAY_MS), domain: e.destination,
    policy: { 'policy-type': 'tlsa', 'policy-string': e.answers, 'policy-domain': e.destination },
    failure: {
      'result-type': resultTypeOf(e.failure!), 'sending-mta-ip': sendingIp, ...to,
      'additional-information': `mailhop:link/${encodeURIComponent(e.link)}`, 'failure-reason-code': e.decision ?? e.outcome,
    },
  };
}

/** Groups counted sessions into reports: per day and domain, per policy, failures per identical details. */
function assemble(counted: readonly Counted[], options: ReporterOptions): BuiltReport[] {
  const reports = new Map<string, { day: number; domain: string; policies: Map<string, PolicyResult> }>();
  for (const c of counted) {
    const key = `${c.day}\0${c.domain}`;
    const report = reports.get(key) ?? { day: c.day, domain: c.domain, policies: new Map() };
    reports.set(key, report);
    const pkey = JSON.stringify(c.policy);
    const result = report.policies.get(pkey) ?? { policy: c.policy, summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 0 } };
    report.policies.set(pkey, result);
    if (!c.failure) {
      result.summary['total-successful-session-count']++;
      continue;
    }
    result.summary['total-failure-session-count']++;
    const details: FailureDetails[] = (result['failure-details'] ??= []);
    const same = details.find((d) => sameFailure(d, c.failure!));
    if (same) same['failed-session-count']++;
    else details.push({ ...c.failure, 'failed-session-count': 1 });
  }
  return [...reports.values()]
    .sort((a, b) => a.day - b.day || a.domain.localeCompare(b.domain))
    .map((r) => {
      const day = dayOf(options.day0, r.day);
      return {
        policyDomain: r.domain, day,
        report: {
          'organization-name': options.organizationName,
          'date-range': { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` },
          'contact-info': options.contactInfo,
          'report-id': `${day}_${r.domain}@${options.hop}.mailhop.test`,
          policies: [...r.policies.values()],
        },
      };
    });
}

function sameFailure(a: FailureDetails, b: Omit<FailureDetails, 'failed-session-count'>): boolean {
  const keys = ['result-type', 'sending-mta-ip', 'receiving-mx-hostname', 'receiving-ip', 'additional-information', 'failure-reason-code'] as const;
  return keys.every((k) => a[k] === b[k]);
}

/** `day0` plus `n` days, `YYYY-MM-DD`. */
function dayOf(day0: string, n: number): string {
  return new Date(Date.parse(`${day0}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}
