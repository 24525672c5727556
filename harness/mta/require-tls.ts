/**
 * REQUIRETLS on the sending side (RFC 8689; docs/behaviour.md#B-requiretls): which tag a queued message carries, the
 * TLS policy its tag puts in force under the client's `requireTls` level, the client's own replies when it cannot
 * keep the promise (RFC 8689 §5: 5.7.30 and 5.7.10), and what the DSN of a tagged message returns of it.
 */
import type { Outbound, RequireTlsLevel, Submit } from '../scenario/schema.js';
import type { EffectivePolicy, SessionEvent } from '../trace/events.js';
import { headerValues } from './received-header.js';
import { localReply } from './session-decisions.js';

/**
 * `required`: MAIL FROM carried REQUIRETLS (or the message was submitted so); `optional`: no REQUIRETLS, but a
 * `TLS-Required: No` header field (RFC 8689 §3). RFC 8689 §4.1: with both, REQUIRETLS wins and the field is ignored.
 */
export type RequireTlsTag = 'required' | 'optional';

/** The tag of a message: its REQUIRETLS flag first, else its `TLS-Required` field (only `No` is defined), else null. */
export function requireTlsTag(message: { requireTls?: boolean; raw: Buffer }): RequireTlsTag | null {
  if (message.requireTls) return 'required';
  return headerValues(message.raw, 'TLS-Required').some((v) => v.toLowerCase() === 'no') ? 'optional' : null;
}

/** What a tag changes for one message on one link: the policy in force, why, and how a REQUIRETLS message is handled. */
export interface RequireTlsPlan {
  policy: EffectivePolicy;
  /** Replaces the policy reason of the session event (effective-policy.ts) when the tag changed the policy. */
  reason?: string;
  /** For a message tagged `required` at a level that sends REQUIRETLS: the level, and whether TLS failures bounce 5.7.10. */
  required?: { level: Exclude<RequireTlsLevel, 'disabled'>; strict: boolean };
}

/**
 * The plan for one message under the client's `requireTls` level (absent: `enforce`). `base` is the policy the hop
 * would use without the tag (effective-policy.ts). Pure.
 */
export function requireTlsPlan(policy: Outbound | Submit, base: EffectivePolicy, tag: RequireTlsTag | null): RequireTlsPlan {
  const level = policy.requireTls ?? 'enforce';
  if (tag === null || level === 'disabled') return { policy: base };
  if (tag === 'optional') {
    // RFC 8689 §4.2.2: certificate (and DANE, MTA-STS) failures are ignored for the message, and it may go in clear.
    if (base !== 'verify' && base !== 'mandatory') return { policy: base };
    return { policy: 'opportunistic', reason: `TLS-Required: No (RFC 8689 §4.2.2): ${base} relaxed to opportunistic for this message` };
  }
  switch (level) {
    case 'enforce':
      return { policy: 'verify', reason: `REQUIRETLS (requireTls: enforce, RFC 8689 §4.2.1): TLS with a verified certificate and REQUIRETLS after STARTTLS`, required: { level, strict: true } };
    case 'opportunistic+starttls': {
      const policyNow = base === 'verify' ? 'verify' : 'mandatory';
      return { policy: policyNow, reason: `REQUIRETLS (requireTls: opportunistic+starttls): TLS required (${policyNow}), REQUIRETLS sent when listed`, required: { level, strict: true } };
    }
    case 'opportunistic':
    case 'always':
      return { policy: base, required: { level, strict: false } };
  }
}

/**
 * The ` REQUIRETLS` MAIL parameter for one transaction (RFC 8689 §4.2.1), or undefined for an untagged message: sent
 * when the server listed REQUIRETLS in the EHLO reply of this TLS session (or always, at level `always`); `''` when the
 * level lets the message go on without it; null when `enforce` finds it not listed (the message is returned 5.7.30).
 * `seen` is what the session event records.
 */
export function mailParameter(plan: RequireTlsPlan | undefined, secure: boolean, listed: boolean): { parameter: string | null; seen: { advertised: boolean; sent: boolean } } | undefined {
  const required = plan?.required;
  if (!required) return undefined;
  const advertised = secure && listed;
  const sent = advertised || required.level === 'always';
  return { parameter: sent ? ' REQUIRETLS' : required.level === 'enforce' ? null : '', seen: { advertised, sent } };
}

/**
 * A session's result and reply for a REQUIRETLS message at a strict level: one that ended without TLS, or with a
 * certificate that failed (`failure`), is returned at once `5.7.10`, never retried (RFC 8689 §5); anything else as it was.
 */
export function returnedAtOnce(
  plan: RequireTlsPlan | undefined,
  failure: SessionEvent['tlsFailure'],
  result: SessionEvent['result'],
  reply: SessionEvent['reply'],
): [SessionEvent['result'], SessionEvent['reply']] {
  if (!plan?.required?.strict || !failure || result === 'relayed') return [result, reply];
  return ['bounced', encryptionNeeded(`${failure.type} (${failure.detail})`)];
}

/** RFC 8689 §5 and RFC 3463 as updated by RFC 8689 §7.3: the next hop did not list REQUIRETLS after STARTTLS. */
export function requireTlsMissing(servername: string): SessionEvent['reply'] {
  return localReply(550, '5.7.30', `REQUIRETLS support required: ${servername} did not offer REQUIRETLS after STARTTLS`);
}

/** RFC 8689 §5: TLS, or the certificate's validation, failed for a REQUIRETLS message (X.7.10, "encryption needed"). */
export function encryptionNeeded(why: string): SessionEvent['reply'] {
  return localReply(550, '5.7.10', `REQUIRETLS: encryption needed: ${why}`);
}

/** What the DSN of a REQUIRETLS message returns of it (RFC 8689 §5): the header section only, the DSN itself without REQUIRETLS. */
export interface RedactedReturn {
  returned: 'headers';
  /** The message's header section as the bouncing hop held it, without the empty line that ends it. */
  headers: string;
  sentWithRequireTls: false;
}

/** The redacted return of a message's DSN: everything up to the first empty line. */
export function redactedReturn(raw: Buffer): RedactedReturn {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return { returned: 'headers', headers: end >= 0 ? text.slice(0, end) : text, sentWithRequireTls: false };
}
