import type { NewEvent, TraceEvent } from './events.js';
import type { VirtualClock } from '../chain/virtual-clock.js';

/** Options of a {@link Trace}. */
export interface TraceOptions {
  /**
   * Keep only the most recent events in memory: between `keep` and `2 * keep` of them (older ones
   * are dropped in bulk). Default: every event. Listeners still see every event.
   */
  keep?: number;
}

/** The ordered record of one chain's events. One per chain: chains share nothing. */
export class Trace {
  private list: TraceEvent[] = [];
  private readonly listeners = new Set<(e: TraceEvent) => void>();
  private count = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly options: TraceOptions = {},
  ) {}

  /** Numbers, timestamps (virtual ms) and stores an event, then tells listeners. */
  emit(event: NewEvent): TraceEvent {
    const full = { ...event, seq: ++this.count, at: this.clock.now() } as TraceEvent;
    this.list.push(full);
    const { keep } = this.options;
    if (keep !== undefined && this.list.length >= 2 * keep) this.list.splice(0, this.list.length - keep);
    for (const l of this.listeners) l(full);
    return full;
  }

  /** All events so far, in order (a copy); with `keep`, the most recent ones. */
  events(): TraceEvent[] {
    return [...this.list];
  }

  /**
   * Drops events from memory (a chain with `keepFinished` drops those of messages whose verdicts it
   * kept, verdict/final-verdicts.ts). O(events kept): drop in batches. Numbering goes on.
   */
  drop(events: ReadonlySet<TraceEvent>): void {
    if (events.size > 0) this.list = this.list.filter((e) => !events.has(e));
  }

  /** Events no longer kept (always 0 without `keep` or {@link drop}). */
  get dropped(): number {
    return this.count - this.list.length;
  }

  /** Subscribes to new events; returns the unsubscribe function. */
  subscribe(listener: (e: TraceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
