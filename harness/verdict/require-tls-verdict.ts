/**
 * The end-to-end promise of a message submitted with REQUIRETLS (RFC 8689 §4.2.1; docs/behaviour.md#B-requiretls): it
 * may cross a link only over TLS with a certificate the sender verified, and only to a hop that took the REQUIRETLS
 * parameter, so that hop in turn keeps the promise. Pure, like every verdict.
 *
 * On top of the per-link verdicts (link-verdict.ts), for such a message:
 * - a link its content crossed other than `tls-verified` (in clear, or TLS without a verified certificate) is a leak;
 * - a link it crossed `tls-verified` whose receiver took it without REQUIRETLS is a leak too: the flag was dropped
 *   there, and nothing binds the hops after it (a pre-RFC 8689 product, or a gateway that swallows the parameter);
 * - end to end: `leak` when any link leaked, `held` when it was not delivered (bounced, as RFC 8689 §5 asks, or
 *   still queued), else `encrypted-verified`.
 * A `TLS-Required: No` message has no such promise: it is judged as any other.
 */
import type { EndToEndName } from '../scenario/schema.js';
import type { MessageLinkVerdict } from './sender-witness.js';
import type { TraceIndex } from './trace-index.js';

/**
 * Whether the message was submitted with REQUIRETLS: the injecting client's `queued` event says so or, for mail mailhop
 * did not submit (the application under test, or mail sent by hand to a hop under `mailhop up`), the first hop that
 * accepted it took MAIL FROM with REQUIRETLS (its `accepted` event is tagged). A hop cannot add the flag (RFC 8689 §4.1),
 * so the first acceptance speaks for the submission.
 */
export function submittedWithRequireTls(index: TraceIndex, messageId: string): boolean {
  const own = index.own(messageId);
  if (own.some((e) => e.kind === 'queued' && e.hop === 'client' && e.requireTls === true)) return true;
  return own.find((e) => e.kind === 'accepted')?.requireTls === true;
}

/**
 * Did the receiver of `link` take the message with the REQUIRETLS parameter? By its own account when it gave one (a
 * mock tags what it took; a real engine's acceptance never carries it, as none of Debian 12's takes the parameter),
 * else by the sender's (an external receiver): MAIL FROM carried it and the message was relayed.
 */
function carried(index: TraceIndex, link: string, messageId: string): boolean {
  const accepted = index.accepted(link, messageId);
  if (accepted.length > 0) return accepted.some((a) => a.requireTls === true);
  return index.sessions(link, messageId).some((s) => s.result === 'relayed' && s.requireTls?.sent === true);
}

/** Why a REQUIRETLS message's crossing of this link broke its promise, or undefined when it did not (or never crossed). */
function broken(index: TraceIndex, link: MessageLinkVerdict): string | undefined {
  if (link.verdict === 'refused' || link.verdict === 'none') return undefined;
  if (link.verdict !== 'tls-verified') {
    return `REQUIRETLS message crossed ${link.link} as ${link.verdict}, not over TLS with a verified certificate (RFC 8689 §4.2.1)`;
  }
  if (!carried(index, link.link, link.messageId)) {
    return `REQUIRETLS dropped: ${link.link.split('->')[1]} took the message without the REQUIRETLS parameter, so no hop after it is bound to TLS`;
  }
  return undefined;
}

/**
 * The links of a REQUIRETLS message with each broken crossing marked a leak (its reason in `requireTlsLeak` and the
 * notes), and the end-to-end verdict.
 */
export function judgeRequireTls(index: TraceIndex, links: readonly MessageLinkVerdict[], delivered: boolean): { links: MessageLinkVerdict[]; endToEnd: EndToEndName } {
  const judged = links.map((link) => {
    const why = broken(index, link);
    return why ? { ...link, leak: true, requireTlsLeak: why, notes: [...link.notes, `LEAK: ${why}`] } : link;
  });
  const endToEnd: EndToEndName = judged.some((l) => l.leak) ? 'leak' : delivered ? 'encrypted-verified' : 'held';
  return { links: judged, endToEnd };
}
