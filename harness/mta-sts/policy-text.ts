/**
 * The text forms of MTA-STS (RFC 8461): the TXT record that announces a policy (§3.1), the policy file a policy host
 * serves (§3.2), and MX pattern matching (§4.1). Pure. Written here rather than taken from a library: mailauth's
 * module (the one well-kept Node implementation) matches `*.example.com` against names several labels deep, where
 * §4.1 allows exactly one.
 */
import type { StsMode } from '../scenario/sts-policy.js';

/** A policy as a sender holds it (RFC 8461 §3.2), `maxAge` in seconds as served. */
export interface StsPolicy {
  mode: StsMode;
  mx: string[];
  /** `max_age`, seconds. */
  maxAge: number;
}

/** The policy file's text (RFC 8461 §3.2): one `key: value` per line, CRLF-terminated. */
export function policyText(policy: StsPolicy): string {
  return ['version: STSv1', `mode: ${policy.mode}`, ...policy.mx.map((mx) => `mx: ${mx}`), `max_age: ${policy.maxAge}`].map((l) => `${l}\r\n`).join('');
}

/** A parsed policy file, or why it is not one (an RFC 8460 `sts-policy-invalid`). */
export type ParsedPolicy = { policy: StsPolicy } | { invalid: string };

/** Longest max_age a policy may give, seconds (RFC 8461 §3.2). */
const MAX_AGE_S = 31_557_600;

/**
 * Parses a policy file (RFC 8461 §3.2): lines separated by LF or CRLF, `key: value` each; `version: STSv1`, `mode`,
 * `max_age` required, one or more `mx` unless the mode is `none`; unknown keys are ignored, and of a key given twice
 * the first counts (`mx` excepted, which may repeat).
 */
export function parsePolicy(text: string): ParsedPolicy {
  const fields = new Map<string, string>();
  const mx: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { invalid: `line ${JSON.stringify(line.slice(0, 60))} is not "key: value"` };
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'mx') mx.push(value.toLowerCase());
    else if (!fields.has(key)) fields.set(key, value);
  }
  if (fields.get('version') !== 'STSv1') return { invalid: `version is ${fields.has('version') ? JSON.stringify(fields.get('version')) : 'missing'}, not STSv1` };
  const mode = fields.get('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { invalid: `mode is ${mode === undefined ? 'missing' : JSON.stringify(mode)}, not enforce, testing or none` };
  const age = fields.get('max_age') ?? '';
  if (!/^\d{1,10}$/.test(age) || Number(age) > MAX_AGE_S) return { invalid: `max_age is ${age ? JSON.stringify(age) : 'missing'}, not a number of seconds up to ${MAX_AGE_S}` };
  if (mode !== 'none' && mx.length === 0) return { invalid: `a ${mode} policy names no mx` };
  return { policy: { mode, mx, maxAge: Number(age) } };
}

/**
 * The `id` of the `_mta-sts` TXT answer (RFC 8461 §3.1), or why there is none: records not starting `v=STSv1` are
 * ignored; none, or more than one, means no policy is announced.
 * @param records the TXT records' texts (character-strings joined).
 */
export function stsTxtId(records: readonly string[]): { id: string } | { none: string } {
  const sts = records.filter((r) => /^v=STSv1(;|\s|$)/.test(r));
  if (sts.length === 0) return { none: records.length ? 'no TXT record starts v=STSv1' : 'no TXT record' };
  if (sts.length > 1) return { none: `${sts.length} TXT records start v=STSv1 (RFC 8461 §3.1: then there is no policy)` };
  const id = /(?:^|;)\s*id=([A-Za-z0-9]{1,32})\s*(?:;|$)/.exec(sts[0]);
  return id ? { id: id[1] } : { none: `the TXT record has no valid id (1 to 32 letters and digits): ${JSON.stringify(sts[0])}` };
}

/** Whether `host` matches a policy's `mx` pattern (RFC 8461 §4.1): exactly, or `*.` standing for one left-most label. */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const p = pattern.toLowerCase();
  if (!p.startsWith('*.')) return h === p;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/** The first of the policy's patterns `host` matches, or undefined. */
export function matchingPattern(policy: StsPolicy, host: string): string | undefined {
  return policy.mx.find((p) => mxPatternMatches(p, host));
}
