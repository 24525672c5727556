import type { NewEvent, TraceEvent } from './events.js';
import type { VirtualClock } from '../chain/virtual-clock.js';
import { ReceivedStacks } from './received-stack.js';

/** Options of a {@link Trace}. */
export interface TraceOptions {
  /**
   * Keep only the most recent events in memory: between `keep` and `2 * keep` of them (older ones
   * are dropped in bulk), and always the `hop-started` events (one per hop: who sends on each link).
   * Default: every event. Listeners still see every event.
   */
  keep?: number;
}

/** The ordered record of one chain's events. One per chain: chains share nothing. */
export class Trace {
  private list: TraceEvent[] = [];
  /** The chain's `hop-started` events, never dropped: without them a link's sender could not be told. */
  private readonly hops: TraceEvent[] = [];
  private readonly listeners = new Set<(e: TraceEvent) => void>();
  /** Each Received header of the stored copies once, however many copies carry it (received-stack.ts). */
  private readonly received = new ReceivedStacks();
  private count = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly options: TraceOptions = {},
  ) {}

  /**
   * Numbers, timestamps (virtual ms) and stores an event, then tells listeners. A stored copy's Received
   * headers are kept shared with the copy one hop before (received-stack.ts): `received.headers` reads the same.
   */
  emit(event: NewEvent): TraceEvent {
    const full = { ...event, seq: ++this.count, at: this.clock.now() } as TraceEvent;
    this.received.share(full);
    if (full.kind === 'hop-started') this.hops.push(full);
    else this.list.push(full);
    const { keep } = this.options;
    if (keep !== undefined && this.list.length >= 2 * keep) this.received.forget(this.list.splice(0, this.list.length - keep));
    for (const l of this.listeners) l(full);
    return full;
  }

  /** All events so far, in order (a copy); with `keep`, the `hop-started` ones and the most recent others. */
  events(): TraceEvent[] {
    if (!this.hops.length) return [...this.list];
    // Both lists are in order: merge them (hops start before any message, so this is mostly a concatenation).
    const out: TraceEvent[] = [];
    let h = 0;
    for (const e of this.list) {
      while (h < this.hops.length && this.hops[h].seq < e.seq) out.push(this.hops[h++]);
      out.push(e);
    }
    while (h < this.hops.length) out.push(this.hops[h++]);
    return out;
  }

  /**
   * Drops events from memory (a chain with `keepFinished` drops those of messages whose verdicts it
   * kept, verdict/final-verdicts.ts). O(events kept): drop in batches. Numbering goes on.
   */
  drop(events: ReadonlySet<TraceEvent>): void {
    if (events.size === 0) return;
    this.received.forget(events);
    this.list = this.list.filter((e) => !events.has(e));
  }

  /** Events no longer kept (always 0 without `keep` or {@link drop}). */
  get dropped(): number {
    return this.count - this.list.length - this.hops.length;
  }

  /** Subscribes to new events; returns the unsubscribe function. */
  subscribe(listener: (e: TraceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
