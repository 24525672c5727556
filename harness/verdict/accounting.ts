/**
 * Message accounting: every message a hop took responsibility for (RFC 5321 §6.1: after the 250
 * to DATA it owns delivery or the bounce) must end exactly once: relayed onward, stored in the
 * final mailbox, bounced, or still held in that hop's queue. Anything else is a lost or
 * duplicated message, which is always a failure.
 */
import type { TraceEvent } from '../trace/events.js';

/** One broken accounting rule, in words, e.g. `m1 was delivered 2 times`. */
export type AccountingProblem = string;

/**
 * Checks the invariant over a trace.
 * @param held messages still queued when the run stopped, with the hop holding each.
 * @param finalHop id of the last hop (its mailbox is the end of the chain).
 */
export function checkAccounting(events: readonly TraceEvent[], held: ReadonlyArray<{ messageId: string; hop: string }>, finalHop: string): AccountingProblem[] {
  const problems: AccountingProblem[] = [];
  const owned = new Map<string, number>(); // `${hop}\0${messageId}` -> times queued
  const ended = new Map<string, string[]>(); // same key -> how it ended
  const key = (hop: string, id: string) => `${hop}\0${id}`;
  const end = (hop: string, id: string, how: string) => ended.set(key(hop, id), [...(ended.get(key(hop, id)) ?? []), how]);

  for (const e of events) {
    if (e.kind === 'queued') owned.set(key(e.hop, e.messageId), (owned.get(key(e.hop, e.messageId)) ?? 0) + 1);
    else if (e.kind === 'session' && e.result === 'relayed') end(e.hop, e.messageId, 'relayed');
    else if (e.kind === 'bounced') end(e.hop, e.messageId, 'bounced');
    else if (e.kind === 'delivered') {
      owned.set(key(e.hop, e.messageId), (owned.get(key(e.hop, e.messageId)) ?? 0) + 1);
      end(e.hop, e.messageId, 'delivered');
    }
  }
  for (const h of held) end(h.hop, h.messageId, 'held');

  for (const [k, times] of owned) {
    const [hop, id] = k.split('\0');
    const endings = ended.get(k) ?? [];
    if (times > 1) problems.push(`${id} was accepted ${times} times by ${hop} (duplicate)`);
    if (endings.length === 0) problems.push(`${id} was lost at ${hop}: accepted, but neither relayed, delivered, bounced nor held`);
    else if (endings.length > 1) problems.push(`${id} ended ${endings.length} times at ${hop} (${endings.join(', ')})`);
  }
  const deliveries = events.filter((e) => e.kind === 'delivered');
  const perMessage = new Map<string, number>();
  for (const d of deliveries) perMessage.set(d.messageId, (perMessage.get(d.messageId) ?? 0) + 1);
  for (const [id, n] of perMessage) if (n > 1) problems.push(`${id} was delivered ${n} times to ${finalHop}`);
  return problems;
}
