/**
 * An MTA-STS policy as Postfix applies it through postfix-mta-sts-resolver (`outbound.mtaStsCheck: policy-map`): the
 * resolver answers Postfix's smtp_tls_policy_maps with `secure match=<patterns>`, each `*.x` pattern written `.x`,
 * and Postfix then checks the server certificate's names against that list (postconf(5) smtp_tls_secure_cert_match
 * and smtp_tls_verify_cert_match: `example.com` matches that name, `.example.com` a name of one or more labels
 * followed by `.example.com`; case ignored), never against the MX host's name. Observed with Postfix 3.7 +
 * postfix-mta-sts-resolver 1.1.2 (test/engines/mta-sts-fidelity.test.ts). Pure.
 */
import type { X509Certificate } from 'node:crypto';
import type { StsPolicy } from './policy-text.js';

/** The `match=` list the resolver hands Postfix for an enforce policy: its `mx` patterns, `*.x` written `.x`. */
export function policyMapMatch(policy: StsPolicy): string[] {
  return policy.mx.map((p) => (p.startsWith('*.') ? p.slice(1) : p).toLowerCase());
}

/** Whether a certificate name matches one `match=` entry (postconf(5) smtp_tls_verify_cert_match patterns). */
export function policyMapNameMatches(entry: string, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const e = entry.toLowerCase();
  // `.example.com`: a non-zero number of labels, then the suffix (more than one label, unlike RFC 8461's `*.`).
  return e.startsWith('.') ? n.length > e.length && n.endsWith(e) : n === e;
}

/**
 * The DNS names a certificate presents for matching: its subjectAltName dNSName entries, or its subject CN when it
 * has none (as Postfix's tls_verify.c falls back to the CN).
 */
export function certificateNames(cert: X509Certificate): string[] {
  const dns = (cert.subjectAltName ?? '').split(/,\s*/).flatMap((e) => (e.startsWith('DNS:') ? [e.slice(4)] : []));
  if (dns.length) return dns;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject);
  return cn ? [cn[1]] : [];
}

/** What checking a certificate against a `match=` list found. */
export type PolicyMapCheck =
  | { matched: string }
  | { mismatch: string }
  /** The chain itself failed (expired, untrusted, ...): the caller reports Node's verification error. */
  | { chainFailed: true };

/**
 * Checks the certificate a session got under an enforce policy, as Postfix level `secure` does: the chain must verify
 * by the trusted CAs (Node's verification, where a wrong name alone shows as `ERR_TLS_CERT_ALTNAME_INVALID`), and one
 * of its names must match one `match=` entry.
 * @param verifyError Node's verification error for the MX host name, undefined when the certificate was valid for it.
 * @returns `matched`: which name matched which entry, in words; `mismatch`: why none did.
 */
export function checkPolicyMap(match: readonly string[], leaf: X509Certificate | undefined, verifyError: string | undefined): PolicyMapCheck {
  if (verifyError !== undefined && verifyError !== 'ERR_TLS_CERT_ALTNAME_INVALID') return { chainFailed: true };
  const names = leaf ? certificateNames(leaf) : [];
  for (const name of names) {
    const entry = match.find((e) => policyMapNameMatches(e, name));
    if (entry) return { matched: `certificate name ${name} matches ${entry} (secure match=${match.join(':')})` };
  }
  return { mismatch: `no certificate name (${names.join(', ') || 'none'}) matches secure match=${match.join(':')}` };
}
