/**
 * mailhop's failure names (`TlsFailureType`, recorded on session and DNS events) as the result types an RFC 8460
 * report carries (§4.3). Most are the RFC's own names already; two are mailhop's finer split of one RFC type:
 * - `starttls-rejected` (the server listed STARTTLS, then answered it 4xx/5xx) is reported as
 *   `starttls-not-supported` (§4.3.1: the receiving MX does not support STARTTLS), as Postfix's TLSRPT support
 *   reports a STARTTLS reply other than 220;
 * - `handshake-failure` (the handshake broke without a certificate reason: closed, alert, garbage, timeout) is
 *   `validation-failure` (§4.3.1: a general failure for a reason not matching another result type).
 * docs/tlsrpt.md has the whole table, each row with its RFC section.
 */
import type { TlsFailureType } from '../trace/events.js';

export { RESULT_TYPES, type ResultType } from './result-type-names.js';
import type { ResultType } from './result-type-names.js';

/** Each of mailhop's failure names, as the RFC 8460 §4.3 result type a report names it by. */
const MAPPING: Record<TlsFailureType, ResultType> = {
  'starttls-not-supported': 'starttls-not-supported', // §4.3.1
  'starttls-rejected': 'starttls-not-supported', // §4.3.1, as Postfix reports a non-2xx reply to STARTTLS
  'handshake-failure': 'validation-failure', // §4.3.1, the general failure
  'certificate-not-trusted': 'certificate-not-trusted', // §4.3.1
  'certificate-expired': 'certificate-expired', // §4.3.1
  'certificate-host-mismatch': 'certificate-host-mismatch', // §4.3.1
  'validation-failure': 'validation-failure', // §4.3.1
  'tlsa-invalid': 'tlsa-invalid', // §4.3.2.1
  'dnssec-invalid': 'dnssec-invalid', // §4.3.2.1
  'dane-required': 'dane-required', // §4.3.2.1
  'sts-policy-fetch-error': 'sts-policy-fetch-error', // §4.3.2.2
  'sts-policy-invalid': 'sts-policy-invalid', // §4.3.2.2
  'sts-webpki-invalid': 'sts-webpki-invalid', // §4.3.2.2
};

/** The RFC 8460 §4.3 result type of one of mailhop's failure names. */
export function resultTypeOf(failure: TlsFailureType): ResultType {
  return MAPPING[failure];
}

/** The whole mapping, in the order of {@link TlsFailureType}, for docs and tests. */
export function resultTypeMapping(): ReadonlyArray<readonly [TlsFailureType, ResultType]> {
  return Object.entries(MAPPING) as Array<[TlsFailureType, ResultType]>;
}
