import type { Outbound, Submit } from '../scenario/schema.js';
import type { EffectivePolicy } from '../trace/events.js';

/** What a queued message knows about how it arrived (kept per message: docs/behaviour.md#B-preserve-strict). */
export interface InboundFact {
  version: string;
  cipher: string;
}

/**
 * Resolves the TLS policy in force for one message on one hop's outbound link.
 *
 * preserve-inbound follows docs/behaviour.md#B-preserve-strict and after (Broadcom KB 174326/162447, 221535; Postini):
 * - `strict`: inbound TLS -> opportunistic; inbound plaintext -> none (STARTTLS not even tried).
 * - `always-try`: opportunistic whatever the inbound leg did.
 * - `mandatory`: inbound TLS -> mandatory; inbound plaintext -> none.
 * - `enforce: [domains]` (Boundary Encryption): mandatory when any recipient's domain is listed,
 *   whatever the inbound leg did; the service "accepts any TLS certificate", so not `verify`.
 *
 * @param recipients envelope recipients of the message (their domains are matched case-insensitively).
 */
export function effectivePolicy(policy: Outbound | Submit, inbound: InboundFact | null, recipients: readonly string[]): EffectivePolicy {
  // Verified TLS once STARTTLS is listed; the session falls to `opportunistic` when it is not (sender-session.ts).
  if (policy.tls === 'opportunistic-verify') return 'verify';
  if (policy.tls !== 'preserve-inbound') return policy.tls;
  const enforced = new Set(policy.enforce.map((d) => d.toLowerCase()));
  if (recipients.some((r) => enforced.has(r.slice(r.lastIndexOf('@') + 1).toLowerCase()))) return 'mandatory';
  switch (policy.preserve) {
    case 'strict':
      return inbound ? 'opportunistic' : 'none';
    case 'always-try':
      return 'opportunistic';
    case 'mandatory':
      return inbound ? 'mandatory' : 'none';
  }
}

/**
 * Why `effectivePolicy` chose the policy it did for one message, as a phrase for verdict notes and
 * `explain` (e.g. `tls: none`, `preserve-inbound strict, the message arrived at gateway in plaintext`).
 * Same inputs as `effectivePolicy`, plus the hop id that holds the message (for the wording).
 */
export function policyReason(policy: Outbound | Submit, inbound: InboundFact | null, recipients: readonly string[], hop: string): string {
  if (policy.tls !== 'preserve-inbound') return `tls: ${policy.tls}`;
  const enforced = new Set(policy.enforce.map((d) => d.toLowerCase()));
  const listed = recipients.map((r) => r.slice(r.lastIndexOf('@') + 1).toLowerCase()).find((d) => enforced.has(d));
  if (listed) return `preserve-inbound enforce list names ${listed}, so TLS is mandatory whatever the inbound leg did`;
  const arrived = inbound ? `over TLS (${inbound.version})` : 'in plaintext';
  return `preserve-inbound ${policy.preserve}, the message arrived at ${hop} ${arrived}`;
}
