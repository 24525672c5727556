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
 * A message still queued at a hop; `destination` when the hop routes by MX and holds one copy per recipient domain
 * (each copy then ends on its own: relayed, bounced or held).
 */
export interface HeldCopy {
  messageId: string;
  hop: string;
  destination?: string;
}

/**
 * Checks the invariant over a trace.
 * @param held messages still queued when the run stopped, with the hop holding each.
 * @param finalHop id of the last hop (its mailbox is the end of the chain).
 */
export function checkAccounting(events: readonly TraceEvent[], held: ReadonlyArray<HeldCopy>, finalHop: string): AccountingProblem[] {
  const tally = new AccountingTally();
  for (const e of events) tally.observe(e);
  return tally.problems(held, finalHop);
}

/**
 * The same invariant kept up to date event by event, for a chain that does not keep its whole trace
 * (`traceLimit`, soak runs): what it remembers is a few counters per message and hop, not the events.
 */
export class AccountingTally {
  readonly #owned = new Map<string, number>(); // `${hop}\0${messageId}` -> times queued
  readonly #ended = new Map<string, string[]>(); // same key -> how it ended
  readonly #deliveries = new Map<string, number>(); // messageId -> times delivered
  /** Messages settled (see settle()): how each ended, `hop\0how\0…\0delivered-count`, one string per shape. */
  readonly #settled = new Map<string, string>();
  readonly #shapes = new Map<string, string>();

  observe(e: TraceEvent): void {
    const id = (e as { messageId?: string }).messageId;
    if (id !== undefined && this.#settled.has(id)) this.#unsettle(id);
    if (e.kind === 'queued') this.#own(key(e.hop, e.messageId, e.destination));
    else if (e.kind === 'session' && e.result === 'relayed') this.#end(key(e.hop, e.messageId, e.destination), 'relayed');
    else if (e.kind === 'bounced') this.#end(key(e.hop, e.messageId, e.destination), 'bounced');
    else if (e.kind === 'delivered') {
      this.#own(key(e.hop, e.messageId, e.destination));
      this.#end(key(e.hop, e.messageId, e.destination), 'delivered');
      // A message split per destination is delivered once per destination.
      const copy = e.destination === undefined ? e.messageId : `${e.messageId}\0${e.destination}`;
      this.#deliveries.set(copy, (this.#deliveries.get(copy) ?? 0) + 1);
    }
  }

  /**
   * Shrinks the counters of a message that ended exactly once at every hop that took it (its verdicts
   * are kept elsewhere: final-verdicts.ts) to one shared string, so that a long `mailhop up` keeps a few
   * bytes per message. Any later event about it restores the counters first: a late duplicate still counts.
   * @param hops the hops that took the message (queued it, or stored it in the mailbox).
   * @returns false, keeping the counters, when the message did not end exactly once at each of them.
   */
  settle(messageId: string, hops: readonly string[]): boolean {
    const parts: string[] = [];
    for (const hop of new Set(hops)) {
      const endings = this.#ended.get(key(hop, messageId));
      if (this.#owned.get(key(hop, messageId)) !== 1 || endings?.length !== 1) return false;
      parts.push(hop, endings[0]);
    }
    const delivered = this.#deliveries.get(messageId) ?? 0;
    if (delivered > 1) return false;
    for (let i = 0; i < parts.length; i += 2) {
      this.#owned.delete(key(parts[i], messageId));
      this.#ended.delete(key(parts[i], messageId));
    }
    this.#deliveries.delete(messageId);
    parts.push(String(delivered));
    const shape = parts.join('\0');
    // Few shapes in a run (the chain's paths and outcomes); a run with many more keeps its own copies.
    if (!this.#shapes.has(shape) && this.#shapes.size < 10_000) this.#shapes.set(shape, shape);
    this.#settled.set(messageId, this.#shapes.get(shape) ?? shape);
    return true;
  }

  /** The broken rules so far, counting `held` messages as ended in their hop's queue. */
  problems(held: ReadonlyArray<HeldCopy>, finalHop: string): AccountingProblem[] {
    const problems: AccountingProblem[] = [];
    const heldAt = new Map<string, number>();
    for (const h of held) {
      const k = key(h.hop, h.messageId, h.destination);
      heldAt.set(k, (heldAt.get(k) ?? 0) + 1);
    }
    for (const [k, times] of this.#owned) {
      const [hop, messageId, destination] = k.split('\0');
      const id = destination === undefined ? messageId : `${messageId} (to ${destination})`;
      const endings = [...(this.#ended.get(k) ?? []), ...Array<string>(heldAt.get(k) ?? 0).fill('held')];
      if (times > 1) problems.push(`${id} was accepted ${times} times by ${hop} (duplicate)`);
      if (endings.length === 0) problems.push(`${id} was lost at ${hop}: accepted, but neither relayed, delivered, bounced nor held`);
      else if (endings.length > 1) problems.push(`${id} ended ${endings.length} times at ${hop} (${endings.join(', ')})`);
    }
    for (const [copy, n] of this.#deliveries) {
      const [id, destination] = copy.split('\0');
      if (n > 1) problems.push(`${id}${destination === undefined ? '' : ` (to ${destination})`} was delivered ${n} times to ${finalHop}`);
    }
    return problems;
  }

  #unsettle(id: string): void {
    const parts = this.#settled.get(id)!.split('\0');
    this.#settled.delete(id);
    for (let i = 0; i + 1 < parts.length; i += 2) {
      this.#owned.set(key(parts[i], id), 1);
      this.#ended.set(key(parts[i], id), [parts[i + 1]]);
    }
    const delivered = Number(parts.at(-1));
    if (delivered > 0) this.#deliveries.set(id, delivered);
  }

  #own(k: string): void {
    this.#owned.set(k, (this.#owned.get(k) ?? 0) + 1);
  }

  #end(k: string, how: string): void {
    const endings = this.#ended.get(k);
    if (endings) endings.push(how);
    else this.#ended.set(k, [how]);
  }
}

/** The counters' key: a hop and a message, and the destination of a copy split per recipient domain. */
const key = (hop: string, id: string, destination?: string) => (destination === undefined ? `${hop}\0${id}` : `${hop}\0${id}\0${destination}`);
