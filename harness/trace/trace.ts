import type { NewEvent, TraceEvent } from './events.js';
import type { VirtualClock } from '../chain/virtual-clock.js';

/** The ordered record of one chain's events. One per chain: chains share nothing. */
export class Trace {
  private readonly list: TraceEvent[] = [];
  private readonly listeners = new Set<(e: TraceEvent) => void>();

  constructor(private readonly clock: VirtualClock) {}

  /** Numbers, timestamps (virtual ms) and stores an event, then tells listeners. */
  emit(event: NewEvent): TraceEvent {
    const full = { ...event, seq: this.list.length + 1, at: this.clock.now() } as TraceEvent;
    this.list.push(full);
    for (const l of this.listeners) l(full);
    return full;
  }

  /** All events so far, in order (a copy). */
  events(): TraceEvent[] {
    return [...this.list];
  }

  /** Subscribes to new events; returns the unsubscribe function. */
  subscribe(listener: (e: TraceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
