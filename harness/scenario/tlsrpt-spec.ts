/**
 * TLS-RPT (RFC 8460) in a scenario: `hops[].tlsRpt` makes the hop that routes by MX a reporter, and `expect.tlsRpt`
 * claims what its reports say. Part of the scenario schema (schema.ts and hop.ts use these).
 */
import { z } from 'zod';
import { RESULT_TYPES } from '../tlsrpt/result-type-names.js';

/**
 * A reporting hop (RFC 8460 §4): after the run it builds one aggregate report per policy domain it sent to and
 * virtual UTC day, and sends it where the domain's `_smtp._tls` TXT record says (§3).
 */
export const TlsRptReporter = z.strictObject({
  /** RFC 8460 §4.4 `organization-name`; absent: `mailhop <hop id>`. */
  organizationName: z.string().min(1).max(200).optional(),
  /** RFC 8460 §4.4 `contact-info`; absent: `mailto:postmaster@<hop>.mailhop.test`. */
  contactInfo: z.string().min(1).max(200).optional(),
});
export type TlsRptReporter = z.output<typeof TlsRptReporter>;

/**
 * One claim about a report: the report of `reporter` (absent: the only reporter) for policy domain `domain` on
 * virtual day `day` (1 is the run's first UTC day). Counts and result types are over the policy named by `policy`, or
 * over all the report's policies when it is absent.
 */
export const TlsRptClaim = z.strictObject({
  reporter: z.string().regex(/^[a-z0-9-]+$/).optional(),
  domain: z.string().min(1),
  day: z.number().int().min(1).max(3650).default(1),
  /** RFC 8460 §4.4 `policy-type`. */
  policy: z.enum(['sts', 'tlsa', 'no-policy-found']).optional(),
  /** `total-successful-session-count`. */
  successful: z.number().int().min(0).optional(),
  /** `total-failure-session-count`. */
  failed: z.number().int().min(0).optional(),
  /** The distinct `result-type`s of `failure-details`, in any order; `[]` claims no failure details. */
  resultTypes: z.array(z.enum(RESULT_TYPES)).optional(),
  /** How the report left: `mail` (rua=mailto:, and delivered), `https` (rua=https:, answered 2xx), `none` (no usable record). */
  delivered: z.enum(['mail', 'https', 'none']).optional(),
});
export type TlsRptClaim = z.output<typeof TlsRptClaim>;
