/**
 * A report as mail (RFC 8460 §5.3): a `multipart/report; report-type="tlsrpt"` message (RFC 6522) with a short
 * human-readable part and the report as `application/tlsrpt+gzip`, named as §5.1 says; its Subject and the
 * `TLS-Report-Domain` and `TLS-Report-Submitter` fields as §5.3 gives them; and `TLS-Required: No` (RFC 8689 §4.4:
 * a report about TLS failures must still be deliverable across them). Built with nodemailer's MimeNode.
 */
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import type { BuiltReport } from './build-reports.js';
import { gzipReport, reportFilename } from './report-files.js';

/** What the report mail needs besides the report. */
export interface ReportMailOptions {
  /** The envelope and From address, e.g. `tlsrpt@relay.mailhop.test`. */
  from: string;
  /** The `rua=mailto:` address. */
  to: string;
  /** The reporting domain (TLS-Report-Submitter, and the file name's first part). */
  submitter: string;
  /** The message's Date (virtual clock). */
  date: Date;
  /** Extra header fields (mailhop's `X-Mailhop-Id`). */
  headers?: Record<string, string>;
}

/** The raw message, CRLF line ends. */
export function composeReportMail(built: BuiltReport, options: ReportMailOptions): Promise<Buffer> {
  const report = built.report;
  const root = new MimeNode('multipart/report; report-type="tlsrpt"', { newline: 'win', hostname: options.submitter });
  root.setHeader({
    From: options.from,
    To: options.to,
    Subject: `Report Domain: ${built.policyDomain} Submitter: ${options.submitter} Report-ID: <${report['report-id']}>`,
    Date: options.date,
    'Message-ID': `<${report['report-id']}>`,
    'TLS-Report-Domain': built.policyDomain,
    'TLS-Report-Submitter': options.submitter,
    'TLS-Required': 'No',
    ...options.headers,
  });
  const failures = report.policies.reduce((n, p) => n + p.summary['total-failure-session-count'], 0);
  const successes = report.policies.reduce((n, p) => n + p.summary['total-successful-session-count'], 0);
  root.createChild('text/plain; charset=utf-8').setContent(
    `This is an aggregate TLS report (RFC 8460) from ${options.submitter} for ${built.policyDomain}, ${built.day}: ` +
      `${successes} successful and ${failures} failed SMTP sessions.\r\n`,
  );
  root.createChild('application/tlsrpt+gzip', { filename: reportFilename(options.submitter, built) }).setContent(gzipReport(built));
  return root.build();
}
