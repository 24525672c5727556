import type { TraceEvent, WireEvent } from '../trace/events.js';

/**
 * The trace indexed once per report, so judging M messages costs O(events) rather than O(M × events):
 * for one message, its own events, the events that name no message (except wire records), and the
 * wire records of the connections its sessions used (matched by the sender's port).
 * A link on which a real engine or an external gateway sends (an engine `started` fact) has no
 * sessions to match, so its judge gets the whole trace, as before.
 */
export class EventsByMessage {
  private readonly byMessage = new Map<string, TraceEvent[]>();
  private readonly unnamed: TraceEvent[] = [];
  private readonly wireByPort = new Map<string, WireEvent[]>();
  private readonly opaqueLinks = new Set<string>();

  constructor(private readonly all: readonly TraceEvent[]) {
    for (const e of all) {
      if (e.kind === 'wire') {
        const key = `${e.link}\0${e.record.clientPort}`;
        this.wireByPort.set(key, [...(this.wireByPort.get(key) ?? []), e]);
        continue;
      }
      if (e.kind === 'engine' && e.fact === 'started') this.opaqueLinks.add(e.link);
      const id = (e as { messageId?: string }).messageId;
      if (id === undefined) this.unnamed.push(e);
      else {
        const list = this.byMessage.get(id);
        if (list) list.push(e);
        else this.byMessage.set(id, [e]);
      }
    }
  }

  /** The events that name `messageId` (no wire records), in trace order. */
  own(messageId: string): readonly TraceEvent[] {
    return this.byMessage.get(messageId) ?? [];
  }

  /** The events the verdict of `messageId` on `link` can depend on, in trace order. */
  for(link: string, messageId: string): readonly TraceEvent[] {
    if (this.opaqueLinks.has(link)) return this.all;
    const own = this.byMessage.get(messageId) ?? [];
    const ports = new Set(own.flatMap((e) => (e.kind === 'session' && e.link === link ? [e.localPort] : [])));
    const wires = [...ports].flatMap((port) => this.wireByPort.get(`${link}\0${port}`) ?? []);
    return [...own, ...this.unnamed, ...wires].sort((a, b) => a.seq - b.seq);
  }
}
