/**
 * What the TLS-RPT part of a run produced: each report (as built from the final trace, the reports' own mail left
 * out) with how it left, and what mailhop's HTTPS endpoint received. Part of the scenario report (`tlsRpt`).
 */
import type { OutcomeName } from '../scenario/schema.js';
import type { ReceivedPost } from './report-endpoint.js';
import type { TlsRptReport } from './tlsrpt-report.js';

/** How one report left, per `rua` URI of the policy domain's record (or `none`, with the reason). */
export interface TlsRptDelivery {
  via: 'mail' | 'https' | 'none';
  /** The `rua` URI. */
  uri?: string;
  /** `mail`: the report message's id in the run (its sessions are not counted in any report). */
  messageId?: string;
  /** `mail`: what became of the report message. */
  outcome?: OutcomeName | 'mixed';
  /** `https`: the HTTP status the endpoint answered. */
  status?: number;
  /** Why it was not sent or not taken, e.g. `no _smtp._tls record for partner.test`. */
  problem?: string;
}

/** One report of a run. */
export interface RunTlsRptReport {
  /** The reporting hop. */
  reporter: string;
  /** The reporting domain (the reporter's hostname), RFC 8460 §5.3 TLS-Report-Submitter. */
  submitter: string;
  policyDomain: string;
  /** `YYYY-MM-DD`. */
  day: string;
  /** Its file name, RFC 8460 §5.1. */
  filename: string;
  report: TlsRptReport;
  deliveries: TlsRptDelivery[];
}

/** The TLS-RPT part of a scenario report. */
export interface TlsRptRun {
  reports: RunTlsRptReport[];
  /** What mailhop's HTTPS endpoint received, in order. */
  posts: ReceivedPost[];
}
