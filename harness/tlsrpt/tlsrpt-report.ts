/**
 * The shape of one TLS-RPT aggregate report (RFC 8460 §4.4), keyed exactly as the JSON on the wire. mailhop writes
 * every field it knows; a report read from elsewhere may omit the optional ones (schemas/tlsrpt.schema.json says
 * which are required).
 */
import type { ResultType } from './result-types.js';

/** RFC 8460 §4.4 `policy-type`: an MTA-STS policy, DANE TLSA records, or neither. */
export type PolicyType = 'sts' | 'tlsa' | 'no-policy-found';

/** One `failure-details` entry: sessions that failed the same way to the same MX host (RFC 8460 §4.4). */
export interface FailureDetails {
  'result-type': ResultType;
  /** The sending MTA's address (mailhop: the reporting hop's loopback address). */
  'sending-mta-ip': string;
  /** The MX host the sender tried, e.g. `mx.mailhop.test`. */
  'receiving-mx-hostname': string;
  /** The name the MX host gave in its greeting, when known. */
  'receiving-mx-helo'?: string;
  /** The address the sender connected to (mailhop: the link proxy in front of the MX host). */
  'receiving-ip': string;
  'failed-session-count': number;
  /** A URI with more about the failure (mailhop: `mailhop:link/<link>`, the link to read in the run's report). */
  'additional-information'?: string;
  /** The error as the sender saw it, e.g. `454 4.7.0 TLS not available due to temporary reason`. */
  'failure-reason-code'?: string;
}

/** One policy's part of a report (RFC 8460 §4.4 `policies[]`). */
export interface PolicyResult {
  policy: {
    'policy-type': PolicyType;
    /** The policy as applied: each TLSA record, or each line of the MTA-STS policy; absent for `no-policy-found`. */
    'policy-string'?: string[];
    'policy-domain': string;
    /** MTA-STS: the policy's `mx` patterns. */
    'mx-host'?: string[];
  };
  summary: {
    'total-successful-session-count': number;
    'total-failure-session-count': number;
  };
  'failure-details'?: FailureDetails[];
}

/** One aggregate report: one reporting organisation, one policy domain, one UTC day (RFC 8460 §4.4). */
export interface TlsRptReport {
  'organization-name': string;
  /** RFC 3339 date-times, e.g. `2026-12-07T00:00:00Z` to `2026-12-07T23:59:59Z`. */
  'date-range': { 'start-datetime': string; 'end-datetime': string };
  /** An address (or URI) to contact the reporting organisation. */
  'contact-info': string;
  'report-id': string;
  policies: PolicyResult[];
}
