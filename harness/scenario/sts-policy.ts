/**
 * MTA-STS (RFC 8461) in a scenario: the policy a domain publishes on its policy host (`dns.<domain>.stsPolicy`, served
 * by harness/mta-sts/policy-host.ts at `https://mta-sts.<domain>/.well-known/mta-sts.txt`, with a way to make the
 * fetch fail), what a sending hop does with policies (`outbound.mtaSts`), and the policies it already holds when the
 * run starts (`outbound.mtaStsCache`: the first-contact gap, a cache that outlives a failed refresh). The TXT record
 * that announces a policy is the zone's `mtaSts` text (dns-zones.ts), served as written.
 */
import { z } from 'zod';
import { CertKind } from './inbound-policy.js';
import { Duration } from './duration.js';

/** RFC 8461 §3.2 `mode`: `enforce` (only matching MX hosts, with valid TLS), `testing` (report, deliver anyway), `none`. */
export const StsMode = z.enum(['enforce', 'testing', 'none']);
export type StsMode = z.infer<typeof StsMode>;

/**
 * An `mx` pattern (RFC 8461 §3.2, §4.1): a host name, or `*.` and a name, the wildcard standing for exactly one
 * left-most label (`*.mailhop.test` matches `mx.mailhop.test`, not `a.mx.mailhop.test` nor `mailhop.test`).
 */
export const StsMxPattern = z
  .string()
  .regex(/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, 'must be a lower-case host name, or *. and a name (one wildcard label, left-most), like *.mailhop.test');

/** RFC 8461 §3.2: `max_age` is at most 31557600 seconds (about a year). */
const MAX_AGE_MS = 31_557_600_000;

/** The fields of a policy (RFC 8461 §3.2); `maxAge` is a duration, served as whole seconds. */
const policyFields = {
  mode: StsMode,
  /** Allowed MX patterns; at least one unless the mode is `none`. */
  mx: z.array(StsMxPattern).default([]),
  /** How long a sender may keep the policy (`max_age`), e.g. `1d`; at most 31557600 s. */
  maxAge: Duration.pipe(z.number().max(MAX_AGE_MS, 'must be at most 31557600s (RFC 8461 §3.2 max_age)')).prefault('1d'),
};

/** `enforce` and `testing` policies name at least one MX pattern (RFC 8461 §3.2). */
function needsMx(policy: { mode: StsMode; mx: string[] }, ctx: z.core.$RefinementCtx): void {
  if (policy.mode !== 'none' && policy.mx.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['mx'], message: `a policy in ${policy.mode} mode must name at least one MX pattern (RFC 8461 §3.2), e.g. mx: ["*.mailhop.test"]` });
  }
}

/**
 * How the policy host answers the sender's fetch (RFC 8461 §3.3):
 * - `policy`: 200, `text/plain`, the policy;
 * - `unreachable`: nothing listens where `mta-sts.<domain>` points (connection refused);
 * - `timeout`: the TLS handshake never gets an answer, until the sender's own fetch timeout cuts it (virtual time);
 * - `not-found`: 404; `redirect`: 301 to another URL (senders must not follow it);
 * - `wrong-content-type`: 200 with the policy as `text/html`;
 * - `bad-syntax`: 200, `text/plain`, a body that is no STSv1 policy.
 */
export const StsServe = z.enum(['policy', 'unreachable', 'timeout', 'not-found', 'redirect', 'wrong-content-type', 'bad-syntax']);
export type StsServe = z.infer<typeof StsServe>;

/** What a domain serves on its policy host. */
export const StsPolicyHost = z
  .strictObject({
    ...policyFields,
    /** How the host answers the fetch (StsServe); absent: `policy`. */
    serve: StsServe.default('policy'),
    /** The policy host's HTTPS certificate for `mta-sts.<domain>` (a flawed one: `sts-webpki-invalid`); absent: `valid`. */
    cert: CertKind.default('valid'),
  })
  .superRefine(needsMx);
export type StsPolicyHost = z.output<typeof StsPolicyHost>;

/** `id` of the TXT record (RFC 8461 §3.1): 1 to 32 letters and digits. */
export const StsId = z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1 to 32 letters and digits (RFC 8461 §3.1 id)');

/** A policy a sender holds when the run starts, as fetched `age` before it under the TXT `id` of then. */
export const StsCachedPolicy = z
  .strictObject({
    ...policyFields,
    id: StsId,
    /** How long before the run started it was fetched; the policy expires `maxAge` after that. Absent: `0s`. */
    age: Duration.prefault('0s'),
  })
  .superRefine(needsMx);
export type StsCachedPolicy = z.output<typeof StsCachedPolicy>;

/** What a sending hop does with MTA-STS: `honor` discovers, caches and applies policies (RFC 8461 §5); `ignore` never looks. */
export const MtaSts = z.enum(['honor', 'ignore']);
export type MtaSts = z.infer<typeof MtaSts>;

/**
 * How a sender that honours MTA-STS checks an MX host under an `enforce` policy:
 * - `mx-host` (absent): as RFC 8461 §4.1 and §4.2 say: only MX hosts matching the policy's patterns are used, and the
 *   certificate must be valid for the MX host's own name;
 * - `policy-map`: as Postfix with postfix-mta-sts-resolver, whose answer is a per-domain TLS policy map entry
 *   `secure match=<patterns>` (`*.x` written as Postfix's `.x`, which matches any number of labels): every MX host is
 *   tried, and a certificate that chains to a trusted CA and names any host the patterns match is accepted, whatever
 *   the MX host's name. That entry replaces the hop's DANE level for the domain, so DANE is not looked up where an
 *   enforce policy applies. Observed with Postfix 3.7 + postfix-mta-sts-resolver 1.1.2
 *   (test/engines/mta-sts-fidelity.test.ts, docs/behaviour.md#B-mta-sts-postfix).
 */
export const MtaStsCheck = z.enum(['mx-host', 'policy-map']);
export type MtaStsCheck = z.infer<typeof MtaStsCheck>;

/** A sender's cache at the start of the run: policies by domain (lower-case). */
export const StsCache = z.record(
  z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, 'must be a lower-case domain name like partner.test'),
  StsCachedPolicy,
);
export type StsCache = z.output<typeof StsCache>;
