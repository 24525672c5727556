/**
 * Per-link verdicts: a pure function of the trace. For one message on one link it weighs the
 * three witnesses (the sender's account, sender-witness.ts; the receiver's `accepted` event; the wire
 * records of the link proxy) and says how the message crossed.
 *
 * Verdicts (RFC 7435 §3 "no misrepresentation": only a real encrypted session counts as TLS):
 * - `tls-verified`: delivered over TLS under a `verify` policy: the certificate chained to the run's
 *   CA and matched the hop's name, and a bad one would have stopped delivery.
 * - `tls`: delivered over TLS, certificate not enforced (an opportunistic or mandatory client
 *   encrypts to any certificate, so an interceptor would go unnoticed).
 * - `downgraded`: delivered in plaintext although STARTTLS was tried: it was rejected, its handshake
 *   failed and the sender went on in clear, or an eNULL suite carried it.
 * - `stripped`: crossed in plaintext because a fault on the link kept TLS from being used
 *   (STARTTLS stripped, masked or refused by the link, its handshake broken before a plaintext
 *   reconnect), not because of the servers or the sender's policy (fault-attribution.ts).
 * - `plain`: delivered in plaintext and STARTTLS was not tried: the receiver did not offer it, or the
 *   sender's policy chose not to use it (`tls: none`, preserve-inbound for mail that arrived in clear);
 *   the notes say which.
 * - `refused`: attempted, but the sender's policy, the receiver's replies or a lost connection (a reset, a
 *   timeout) stopped the message before its content crossed.
 * - `none`: the message never reached this link.
 */
import { isDriven } from '../scenario/hop-kind.js';
import type { LinkVerdictName } from '../scenario/schema.js';
import type { TraceEvent } from '../trace/events.js';
import { AppSender } from './app-sender.js';
import { EngineSender } from './engine-sender.js';
import { ExternalSender } from './external-sender.js';
import { MockSender } from './mock-sender.js';
import type { MessageLinkVerdict, SenderWitness } from './sender-witness.js';
import { TraceIndex } from './trace-index.js';

export type { MessageLinkVerdict, SenderStatement, SenderWitness, Witnesses } from './sender-witness.js';

/**
 * The sender's witness of `link`, by the kind of its sender: the injecting client or a mock hop (its sessions),
 * a real engine (its log), an external server or the application under test (nothing of their own). The kind comes from the sending hop's
 * `hop-started` event; without one (a trace made by hand) the sender is taken for a mock.
 */
export function senderWitness(index: TraceIndex, link: string): SenderWitness {
  const kind = index.senderKind(link);
  if (kind === 'app') return new AppSender(index, link);
  if (isDriven(kind)) return new MockSender(index, link, kind);
  const started = index.sender(link);
  if (kind === 'engine' && started?.engine) return new EngineSender(index, link, started.engine, started.policy, started.dnsRequiresTls);
  return new ExternalSender(index, link);
}

/**
 * Judges one message on one link from a trace (indexed here: O(events); to judge many messages or
 * links, index once and call {@link judgeIndexedLink}).
 */
export function judgeMessageLink(link: string, messageId: string, events: readonly TraceEvent[]): MessageLinkVerdict {
  return judgeIndexedLink(new TraceIndex(events), link, messageId);
}

/**
 * Judges one message on one link from an indexed trace, through the link's sender witness: O(the message's events on
 * the link). With `destination`, one recipient domain's copy of a message split by a hop routing by MX.
 */
export function judgeIndexedLink(index: TraceIndex, link: string, messageId: string, destination?: string): MessageLinkVerdict {
  return senderWitness(index, link).judge(messageId, destination);
}

/** Link verdicts from the least secure to the most (`none`: never crossed, last). */
const RANK: readonly LinkVerdictName[] = ['stripped', 'downgraded', 'plain', 'refused', 'tls', 'tls-verified', 'none'];

/** The least secure of `verdicts` (RANK), or `none` for no verdict at all. */
export function leastSecure(verdicts: Iterable<LinkVerdictName>): LinkVerdictName {
  let worst: LinkVerdictName = 'none';
  for (const v of verdicts) if (RANK.indexOf(v) < RANK.indexOf(worst)) worst = v;
  return worst;
}
