/**
 * The trace indexed by message and by link, built in one pass (or event by event, as a chain records
 * them), so that judging M messages on L links costs O(events + M × L) instead of a scan of the whole
 * trace per message and link. Every verdict reads its facts from here (the sender witnesses,
 * judge-scenario.ts); the index only files events, it never judges.
 *
 * Messages whose outcome is final can be forgotten in batches (final-verdicts.ts keeps their
 * verdicts): their events leave every list, and the counts that reports show (sessions and
 * connections per link) keep counting them.
 */
import type { WireRecord } from '../link/wire-record.js';
import type { AcceptedEvent, DeliveredEvent, DnsEvent, MtaStsEvent, EngineEvent, HopStartedEvent, SessionEvent, StarttlsInjectionEvent, TraceEvent, WireEvent } from '../trace/events.js';
import { isDriven, type SenderKind } from '../scenario/hop-kind.js';
import { ConnectionPairing } from './connection-pairing.js';

/** What one link's events say as a whole (several messages share it). */
interface LinkEntry {
  /** The sender's sessions and the receiver's acceptances, per message, in trace order. */
  sessions: Map<string, SessionEvent[]>;
  acceptedBy: Map<string, AcceptedEvent[]>;
  /** Every wire record of the link, in trace order. */
  wires: WireEvent[];
  /** Every `accepted` event of the link, in trace order. */
  accepted: AcceptedEvent[];
  injections: StarttlsInjectionEvent[];
  engine: EngineEvent[];
  /** A routing sender's DNS lookups filed under the link, per message (TLSA lookups for its MX host). */
  dns: Map<string, DnsEvent[]>;
  /** A routing sender's MTA-STS steps filed under the link, per message (mta/sts-policy.ts). */
  sts: Map<string, MtaStsEvent[]>;
  /** Counted over the whole run, forgotten messages included. */
  sessionCount: number;
  wireCount: number;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * A message as a hop stored it, with the Received headers a recipient reads there: a mock hop's `accepted`
 * event, or the `delivered` event of a real engine that is the final mailbox (it logs acceptance before it
 * writes the Maildir file).
 */
export type StoredCopy = AcceptedEvent | DeliveredEvent;

/** An index of trace events by message and link; see the file comment. */
export class TraceIndex {
  readonly #order: string[] = [];
  readonly #listed = new Set<string>();
  readonly #own = new Map<string, TraceEvent[]>();
  readonly #links = new Map<string, LinkEntry>();
  readonly #pairing = new ConnectionPairing();
  /** Per hop id, and per link by the hop that sends on it: the hop's `hop-started` event. */
  readonly #hops = new Map<string, HopStartedEvent>();
  readonly #senders = new Map<string, HopStartedEvent>();
  /** Links the application under test sends on (`app-sender` events). */
  readonly #appLinks = new Set<string>();
  /** Per hop: the names it signs Received headers with, from the first acceptance that recorded them. */
  readonly #hopNames = new Map<string, readonly string[]>();
  /** Per hop: its acceptances (and a real engine's deliveries) that recorded Received headers, in trace order. */
  readonly #received = new Map<string, StoredCopy[]>();
  /** Events no verdict reads (refused commands): indexed only so that forgetting can sweep them from the trace. */
  #unnamed: TraceEvent[] = [];
  #version = 0;

  /** Indexes `events` (in the order given) with one pass. */
  constructor(events: Iterable<TraceEvent> = EMPTY) {
    for (const e of events) this.add(e);
  }

  /** Files one event; call in trace order. O(1) amortised. */
  add(e: TraceEvent): void {
    this.#version++;
    if (e.kind === 'wire') {
      const link = this.#link(e.link);
      link.wires.push(e);
      link.wireCount++;
      this.#pairing.add(e);
      return;
    }
    if (e.kind === 'refused-command') this.#unnamed.push(e);
    else if (e.kind === 'starttls-injection') this.#link(e.link).injections.push(e);
    else if (e.kind === 'engine') this.#link(e.link).engine.push(e);
    else if (e.kind === 'hop-started') {
      this.#hops.set(e.hop, e);
      if (e.outboundLink) this.#senders.set(e.outboundLink, e);
      for (const route of e.routes ?? []) this.#senders.set(route, e);
    } else if (e.kind === 'app-sender') this.#appLinks.add(e.link);
    const id = (e as { messageId?: string }).messageId;
    if (id === undefined) return;
    if (((e.kind === 'queued' && e.hop === 'client') || e.kind === 'accepted' || e.kind === 'app-sender') && !this.#listed.has(id)) {
      this.#listed.add(id);
      this.#order.push(id);
    }
    push(this.#own, id, e);
    if (e.kind === 'session') {
      const link = this.#link(e.link);
      push(link.sessions, id, e);
      this.#pairing.add(e);
      // A further transaction on a kept connection (outbound.reuse) opens no session of its own.
      if (!e.sharedSession) link.sessionCount++;
    } else if (e.kind === 'accepted') {
      const link = this.#link(e.link);
      push(link.acceptedBy, id, e);
      this.#pairing.add(e);
      link.accepted.push(e);
      this.#stored(e);
    } else if (e.kind === 'delivered') {
      this.#stored(e);
    } else if (e.kind === 'dns') {
      push(this.#link(e.link).dns, id, e);
    } else if (e.kind === 'mta-sts') {
      push(this.#link(e.link).sts, id, e);
    }
  }

  /** Files a copy a hop stored with its Received headers (a mock's acceptance, a real engine's Maildir delivery). */
  #stored(e: StoredCopy): void {
    if (!e.received) return;
    if (!this.#hopNames.has(e.hop)) this.#hopNames.set(e.hop, e.received.hopNames);
    push(this.#received, e.hop, e);
  }

  /**
   * The messages of the run in order of first appearance: each one the client queued, and mail sent
   * by hand (`mailhop up`), which appears when a hop accepts it. Forgotten messages keep their place.
   */
  messageIds(): readonly string[] {
    return this.#order;
  }

  /** Messages with events indexed (named by an event and not forgotten). */
  get size(): number {
    return this.#own.size;
  }

  /** Changes whenever the index does (an event added, messages forgotten): for caches of what it says. */
  get version(): number {
    return this.#version;
  }

  /** True once `messageId` was forgotten (its verdict lives elsewhere, final-verdicts.ts), until an event names it again. */
  isForgotten(messageId: string): boolean {
    return this.#listed.has(messageId) && !this.#own.has(messageId);
  }

  /** The events that name `messageId` (every kind but wire records), in trace order. */
  own(messageId: string): readonly TraceEvent[] {
    return this.#own.get(messageId) ?? EMPTY;
  }

  /** The sender's sessions of `messageId` on `link`, in trace order. */
  sessions(link: string, messageId: string): readonly SessionEvent[] {
    return this.#links.get(link)?.sessions.get(messageId) ?? EMPTY;
  }

  /** Every DNS lookup still indexed, link by link (reports list the distinct answers). */
  allDnsLookups(): DnsEvent[] {
    return [...this.#links.values()].flatMap((l) => [...l.dns.values()].flat());
  }

  /** Every MTA-STS step still indexed, link by link (reports list the distinct ones). */
  allStsSteps(): MtaStsEvent[] {
    return [...this.#links.values()].flatMap((l) => [...l.sts.values()].flat());
  }

  /** The MTA-STS steps a routing sender took for `messageId` and filed under `link`, in trace order. */
  stsSteps(link: string, messageId: string): readonly MtaStsEvent[] {
    return this.#links.get(link)?.sts.get(messageId) ?? EMPTY;
  }

  /** The DNS lookups a routing sender made for `messageId` and filed under `link`, in trace order. */
  dnsLookups(link: string, messageId: string): readonly DnsEvent[] {
    return this.#links.get(link)?.dns.get(messageId) ?? EMPTY;
  }

  /** The receiver's acceptances of `messageId` on `link` (more than one after a lost 250), in trace order. */
  accepted(link: string, messageId: string): readonly AcceptedEvent[] {
    return this.#links.get(link)?.acceptedBy.get(messageId) ?? EMPTY;
  }

  /** The wire record of the connection a session used (connection-pairing.ts), once recorded. */
  wireOf(session: SessionEvent): WireRecord | undefined {
    return this.#pairing.wireOf(session)?.record;
  }

  /** Every wire record on `link`, in trace order. */
  wires(link: string): readonly WireEvent[] {
    return this.#links.get(link)?.wires ?? EMPTY;
  }

  /** Every acceptance on `link`, whatever the message, in trace order. */
  acceptedOn(link: string): readonly AcceptedEvent[] {
    return this.#links.get(link)?.accepted ?? EMPTY;
  }

  /** STARTTLS command injections the receiver of `link` recorded, in trace order. */
  injections(link: string): readonly StarttlsInjectionEvent[] {
    return this.#links.get(link)?.injections ?? EMPTY;
  }

  /** What a real engine's log said on `link` (its outbound link), in trace order. */
  engineEvents(link: string): readonly EngineEvent[] {
    return this.#links.get(link)?.engine ?? EMPTY;
  }

  /**
   * Who sends on `link`: on the submission link (`client->...`) `app` after an `app-sender` event, else `client`;
   * on any other the kind its sending hop's `hop-started` event gives; `mock` when none was recorded (a trace made
   * by hand, or cut short).
   */
  senderKind(link: string): SenderKind {
    if (link.startsWith('client->')) return this.#appLinks.has(link) ? 'app' : 'client';
    return this.#senders.get(link)?.hopKind ?? 'mock';
  }

  /** The `hop-started` event of the hop sending on `link`, if recorded. */
  sender(link: string): HopStartedEvent | undefined {
    return this.#senders.get(link);
  }

  /** The `hop-started` event of `hop`, if recorded. */
  hop(hop: string): HopStartedEvent | undefined {
    return this.#hops.get(hop);
  }

  /** SMTP sessions opened on `link` (`session` events, less those riding a kept connection), or connections its wire saw (`wire`), forgotten messages included. */
  count(link: string, kind: 'session' | 'wire'): number {
    const entry = this.#links.get(link);
    return (kind === 'session' ? entry?.sessionCount : entry?.wireCount) ?? 0;
  }

  /**
   * The names `hop` signs Received headers with: the hostname its `hop-started` event gives (a mock's or a real
   * engine's `<id>.mailhop.test`, which a real engine writes after `by` too), and those its first acceptance that
   * recorded Received headers names (a mock's `by` host of its product's format). None for an external server.
   */
  hopNames(hop: string): readonly string[] {
    const recorded = this.#hopNames.get(hop) ?? EMPTY;
    const hostname = this.#hops.get(hop)?.hostname;
    return hostname === undefined || recorded.includes(hostname) ? recorded : [hostname, ...recorded];
  }

  /** The copies `hop` stored with their Received headers (acceptances, or a real engine's deliveries), in trace order. */
  receivedAt(hop: string): readonly StoredCopy[] {
    return this.#received.get(hop) ?? EMPTY;
  }

  /**
   * Forgets messages (their verdicts must be kept elsewhere first): their own events, the wire record
   * each of their sessions used, and the record of each connection a hop accepted them on (mail sent
   * by hand has no session). Then sweeps what no message still indexed can claim: wire records and
   * refused commands older than the oldest event of every message still indexed, on connections no
   * session or acceptance still indexed used. Hop names, counts and the order of messages stay.
   * O(what is indexed): forget in batches.
   * @returns every event removed, for the trace to drop too.
   */
  forget(messageIds: Iterable<string>): Set<TraceEvent> {
    const removed = new Set<TraceEvent>();
    for (const id of messageIds) {
      if (!this.#listed.has(id)) continue;
      for (const e of this.#own.get(id) ?? EMPTY) {
        removed.add(e);
        const link = this.#links.get(e.link);
        if (e.kind === 'dns') link?.dns.delete(id);
        if (e.kind === 'mta-sts') link?.sts.delete(id);
        if (e.kind === 'session' || e.kind === 'accepted') {
          (e.kind === 'session' ? link?.sessions : link?.acceptedBy)?.delete(id);
          // The connection it used; for mail sent by hand (no session), the one the hop accepted it on.
          const record = this.#pairing.forget(e);
          if (record) removed.add(record);
        }
      }
      this.#own.delete(id);
    }
    this.#sweep(removed);
    for (const link of this.#links.values()) {
      link.wires = link.wires.filter((w) => !removed.has(w));
      link.accepted = link.accepted.filter((e) => !removed.has(e));
      link.engine = link.engine.filter((e) => !removed.has(e));
    }
    for (const [hop, list] of this.#received) this.#received.set(hop, list.filter((e) => !removed.has(e)));
    this.#unnamed = this.#unnamed.filter((e) => !removed.has(e));
    this.#version++;
    return removed;
  }

  /** Adds to `removed` the unclaimed wire records and refused commands older than every message still indexed. */
  #sweep(removed: Set<TraceEvent>): void {
    let oldest = Infinity;
    for (const events of this.#own.values()) oldest = Math.min(oldest, events[0].seq);
    for (const [name, link] of this.#links) {
      // The connections of a sender without sessions are judged as the link's whole (sessionless-sender.ts): kept.
      if (!isDriven(this.senderKind(name))) continue;
      for (const w of link.wires) {
        if (w.seq >= oldest) break;
        if (!removed.has(w) && !this.#pairing.claimed(w)) {
          removed.add(w);
          this.#pairing.forgetRecord(w);
        }
      }
    }
    for (const e of this.#unnamed) {
      if (e.seq >= oldest) break;
      removed.add(e);
    }
  }

  #link(name: string): LinkEntry {
    let entry = this.#links.get(name);
    if (!entry) {
      entry = { sessions: new Map(), acceptedBy: new Map(), wires: [], accepted: [], injections: [], engine: [], dns: new Map(), sts: new Map(), sessionCount: 0, wireCount: 0 };
      this.#links.set(name, entry);
    }
    return entry;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
