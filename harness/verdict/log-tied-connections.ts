/**
 * Connections of a link whose sender is a real engine that nothing on the wire ties to a message: no id
 * crossed in clear and the receiver accepted nothing on them (a failed handshake, a deferral after STARTTLS
 * was refused or not offered). When several messages share the link, only the engine's own log can say
 * which message each was for: it names the message of every attempt that failed (sessionless-link.ts).
 *
 * Each such attempt is one connection: a `tls-failed` fact (the handshake or STARTTLS failed on it; a
 * `deferred` or `bounced` fact of the same message right after it reports the same connection's end, as
 * Postfix, Exim and Sendmail log it), or a `deferred`/`bounced` fact on its own (the connection ended without
 * delivering, e.g. mandatory TLS and no STARTTLS offered). A `plaintext-fallback` or `relayed` fact is a
 * connection the wire already ties to the message (its id crossed in clear, or the receiver accepted it).
 */
import type { WireRecord } from '../link/wire-record.js';
import type { EngineEvent } from '../trace/events.js';

/**
 * Ties the link's untied connections to messages by the engine's log: the k-th failed attempt the log names
 * (in trace order) gets the k-th untied connection (in connection order). Only when the log and the wire agree
 * on how many connections failed and the log names the message of each, counting every failed attempt or, failing
 * that, only those whose handshake or STARTTLS the log says failed (a deferral logged on its own may have made no
 * connection: Sendmail deferring a second message to a host it just failed); otherwise nothing is tied (an
 * expiry bounce, say, leaves the count unequal) and the connections stay the link's as a whole.
 * @param untied the link's untied wire records, in trace order
 * @param facts the engine's facts on the link, in trace order
 * @returns per message id, the connections tied to it (in connection order); empty when none could be tied
 */
export function tieByLog(untied: readonly WireRecord[], facts: readonly EngineEvent[]): Map<string, WireRecord[]> {
  const tied = new Map<string, WireRecord[]>();
  const attempts = failedAttempts(facts);
  if (untied.length === 0 || attempts === undefined) return tied;
  // A deferral logged on its own may not have connected at all (Sendmail defers a second message to a host it has
  // just failed without a connection); when the counts only agree without those, the failed handshakes are tied.
  const failed = attempts.length === untied.length ? attempts.map((a) => a.messageId)
    : attempts.filter((a) => a.handshake).length === untied.length ? attempts.filter((a) => a.handshake).map((a) => a.messageId)
    : undefined;
  if (failed === undefined) return tied;
  const records = [...untied].sort((a, b) => a.seq - b.seq);
  failed.forEach((messageId, i) => {
    const list = tied.get(messageId);
    if (list) list.push(records[i]);
    else tied.set(messageId, [records[i]]);
  });
  return tied;
}

/**
 * The message of each attempt that failed, in trace order, and whether the log says its handshake or STARTTLS failed
 * (it connected for sure); undefined when one of them names no message.
 */
function failedAttempts(facts: readonly EngineEvent[]): Array<{ messageId: string; handshake: boolean }> | undefined {
  const attempts: Array<{ messageId: string; handshake: boolean }> = [];
  /** Messages whose last fact was a `tls-failed` whose connection's end is not reported yet. */
  const open = new Set<string>();
  for (const f of facts) {
    const id = f.messageId;
    if (f.fact === 'tls-failed') {
      if (id === undefined) return undefined;
      attempts.push({ messageId: id, handshake: true });
      open.add(id);
    } else if (f.fact === 'deferred' || f.fact === 'bounced') {
      if (id !== undefined && open.delete(id)) continue; // the end of the connection its tls-failed counted
      if (id === undefined) return undefined;
      attempts.push({ messageId: id, handshake: false });
    } else if (id !== undefined) {
      open.delete(id); // tls, plaintext-fallback, relayed: a connection the wire ties, or TLS that worked
    }
  }
  return attempts;
}
