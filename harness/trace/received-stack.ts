/**
 * The Received headers of the copies hops store (RFC 5321 §4.4), each header once. A message through N
 * hops is stored N times, the copy at hop k with k headers: kept whole in every `accepted` event that is
 * N(N+1)/2 headers (one message through 1,000 mock hops held half a million). So the trace keeps, for each
 * copy, only the headers above the copy it came from, when that copy's stack is exactly what lies below
 * them; otherwise (the first hop, headers forged or rewritten on the way, a copy that continues none) the
 * copy keeps its whole stack. `headers` still reads the whole stack top-down, as a recipient at that hop
 * would read it, and an event still serialises (JSON, structured clone) as `{ headers, hopNames }`.
 */
import type { ReceivedRecord, TraceEvent } from './events.js';

/** A stored copy's Received headers: those it added, over the stack of the copy below (shared, not copied). */
class SharedReceived implements ReceivedRecord {
  /** `headers` as an own enumerable property, as a plain record has it: what JSON, spreads and equality see. One getter for all. */
  static readonly #HEADERS: PropertyDescriptor = {
    enumerable: true,
    get(this: SharedReceived): string[] {
      return this.#stack();
    },
  };

  declare readonly headers: string[];
  declare readonly hopNames: string[];
  readonly #added: readonly string[];
  readonly #below: SharedReceived | undefined;
  readonly #depth: number;

  constructor(added: readonly string[], below: SharedReceived | undefined, hopNames: string[]) {
    this.#added = added;
    this.#below = below;
    this.#depth = added.length + (below ? below.#depth : 0);
    // In the order a plain record has them.
    Object.defineProperty(this, 'headers', SharedReceived.#HEADERS);
    this.hopNames = hopNames;
  }

  /** Headers in the whole stack. */
  get depth(): number {
    return this.#depth;
  }

  /** Header strings this copy holds itself. */
  get held(): number {
    return this.#added.length;
  }

  /** Whether `headers` (top-down) end with exactly this stack. O(depth), without building it. */
  isBelow(headers: readonly string[]): boolean {
    let at = headers.length - this.depth;
    if (at < 0) return false;
    for (let copy: SharedReceived | undefined = this; copy; copy = copy.#below) {
      for (const header of copy.#added) if (headers[at++] !== header) return false;
    }
    return true;
  }

  #stack(): string[] {
    const out: string[] = [];
    for (let copy: SharedReceived | undefined = this; copy; copy = copy.#below) out.push(...copy.#added);
    return out;
  }
}

/** A stored copy: a mock hop's acceptance, or a real engine's delivery to its Maildir, with its headers. */
type StoredCopy = Extract<TraceEvent, { kind: 'accepted' | 'delivered' }> & { received: ReceivedRecord };

function isStoredCopy(event: TraceEvent): event is StoredCopy {
  return (event.kind === 'accepted' || event.kind === 'delivered') && event.received !== undefined;
}

/** The Received headers of one trace's stored copies; see the file comment. One per trace. */
export class ReceivedStacks {
  /** Per message: the record of its latest stored copy, which the next copy (one hop on) continues. */
  readonly #latest = new Map<string, SharedReceived>();

  /**
   * Replaces the Received record of a stored copy by one that shares the headers below its own with the
   * message's latest stored copy, when it continues that copy's stack exactly. Other events pass untouched.
   * O(headers of the copy).
   */
  share(event: TraceEvent): void {
    if (!isStoredCopy(event)) return;
    const { headers, hopNames } = event.received;
    const latest = this.#latest.get(event.messageId);
    const below = latest?.isBelow(headers) ? latest : undefined;
    const record = new SharedReceived(headers.slice(0, headers.length - (below?.depth ?? 0)), below, hopNames);
    event.received = record;
    this.#latest.set(event.messageId, record);
  }

  /** The trace no longer keeps `events`: a copy among them is no longer one a later copy continues. */
  forget(events: Iterable<TraceEvent>): void {
    for (const event of events) {
      if (isStoredCopy(event) && this.#latest.get(event.messageId) === event.received) this.#latest.delete(event.messageId);
    }
  }
}

/** How many header strings a Received record holds itself: all of them, unless the trace stored it shared. */
export function heldHeaders(record: ReceivedRecord): number {
  return record instanceof SharedReceived ? record.held : record.headers.length;
}
