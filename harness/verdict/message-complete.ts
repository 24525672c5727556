/**
 * When a message's record is complete: it ended exactly once at every hop that took it (RFC 5321
 * §6.1: a hop that queued it relayed or bounced it, the final hop stored it), so the sender's session
 * that got the last 250 is recorded too, and each of its sessions has its wire record (the proxy
 * reports a connection once both its sockets closed, a moment after the session). Judging it then
 * gives what judging the whole run later would (final-verdicts.ts, report/live-watch.ts).
 */
import type { TraceIndex } from './trace-index.js';

/**
 * The hops that took `messageId`, when its record is complete (see the file comment); otherwise
 * undefined: not yet, or never (taken twice by a hop: a duplicate the accounting reports).
 */
export function completeAt(index: TraceIndex, messageId: string): string[] | undefined {
  const owned = new Map<string, number>();
  const ended = new Map<string, number>();
  const add = (map: Map<string, number>, hop: string) => map.set(hop, (map.get(hop) ?? 0) + 1);
  for (const e of index.own(messageId)) {
    if (e.kind === 'queued') add(owned, e.hop);
    else if (e.kind === 'delivered') (add(owned, e.hop), add(ended, e.hop));
    else if (e.kind === 'bounced') add(ended, e.hop);
    else if (e.kind === 'session') {
      if (e.result === 'relayed') add(ended, e.hop);
      if (index.wireOf(e) === undefined) return undefined;
    }
  }
  if (owned.size === 0) return undefined;
  for (const [hop, n] of owned) if (n !== 1 || ended.get(hop) !== 1) return undefined;
  return [...owned.keys()];
}
