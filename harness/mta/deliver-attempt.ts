/**
 * One delivery attempt of one message over one link: the client decision procedure of
 * docs/behaviour.md#B-attempt, for the policies of docs/behaviour.md#B-policies. Each connection is a
 * session (sender-session.ts) that emits one `session` event.
 */
import { effectivePolicy } from './effective-policy.js';
import { requireTlsPlan, requireTlsTag } from './require-tls.js';
import type { AttemptOutcome, QueuedMessage, RelayTarget } from './relay-target.js';
import { runSession } from './sender-session.js';
import type { KeptSession, OpenSession } from './kept-session.js';

export type { AttemptOutcome, ConnectionInfo, QueuedMessage, RelayTarget } from './relay-target.js';

/**
 * Makes one delivery attempt: a session under the effective policy and, when the handshake
 * failed and the fallback rule allows it (judged on the message's age when the attempt began), a second plaintext
 * session at once. With `kept` (`outbound.reuse`, or
 * `fallbackMemory: session`), a session left open by an earlier message under the same effective policy carries
 * the message instead, and a session that delivered is left open for the next one when the policy keeps it.
 * Never throws: every failure becomes a `deferred` or `bounced` outcome with its reply.
 */
export async function deliverAttempt(target: RelayTarget, message: QueuedMessage, attempt: number, kept?: KeptSession): Promise<AttemptOutcome> {
  // A policy from DNS that requires TLS (DANE, RFC 7672 §2.2; MTA-STS enforce, RFC 8461 §5) overrides the hop's own, opportunistic or not; then a
  // REQUIRETLS or `TLS-Required: No` tag may change the policy for this message (require-tls.ts, RFC 8689 §4.2).
  // MTA-STS enforce also wants the certificate valid for the MX name by PKIX (RFC 8461 §4.2): `verify`.
  const dns = target.dnsPolicy;
  const base = dns?.requiresTls ? (dns.verifies ? 'verify' : 'mandatory') : effectivePolicy(target.policy, message.inbound, message.to);
  const requireTls = requireTlsPlan(target.policy, base, requireTlsTag(message));
  const policy = requireTls.policy;
  const keep = kept && ((open: OpenSession) => kept.keep(open));
  const reuse = kept?.take(policy);
  const startedAt = target.now();
  const first = await runSession(target, message, { attempt, connection: 1, policy, plaintextRetry: reuse?.facts.plaintextRetry ?? false, reuse, keep, startedAt, requireTls });
  const outcome = first.result === 'fallback' ? await runSession(target, message, { attempt, connection: 2, policy, plaintextRetry: true, keep, requireTls }) : first;
  return { result: outcome.result === 'fallback' ? 'deferred' : outcome.result, reply: outcome.reply, ...(first.handshakeFailed ? { handshakeFailed: true } : {}) };
}
