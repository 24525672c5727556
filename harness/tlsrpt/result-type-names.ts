/**
 * The result types of RFC 8460 §4.3, as names only (no imports: the scenario schema reads them too). What each of
 * mailhop's failure names becomes is in result-types.ts.
 */

/** RFC 8460 §4.3 result types: negotiation failures (§4.3.1), DANE (§4.3.2.1) and MTA-STS (§4.3.2.2) policy failures. */
export const RESULT_TYPES = [
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
  'tlsa-invalid',
  'dnssec-invalid',
  'dane-required',
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
] as const;

/** One RFC 8460 §4.3 result type. */
export type ResultType = (typeof RESULT_TYPES)[number];
