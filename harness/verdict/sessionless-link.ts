/**
 * What a link whose sender records no sessions (sessionless-sender.ts) says as a whole, every message
 * together: the engine's facts per message, the wire records tied to a message by an id in clear or by
 * the receiver's port, those the engine's log ties to one (log-tied-connections.ts), and those tied to none.
 * Worked out once per link and trace-index state.
 */
import type { EngineEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import type { TraceIndex } from './trace-index.js';
import { tieByLog } from './log-tied-connections.js';

/** One link's view, every message together. */
export interface SessionlessLink {
  /** Engine facts per message, in trace order. */
  facts: Map<string, EngineEvent[]>;
  /** The link's wire records, in trace order, with their position. */
  wires: WireRecord[];
  position: Map<WireRecord, number>;
  /** Records whose content carried a message's id in clear, per id; and records by the proxy's upstream port. */
  byClearId: Map<string, WireRecord[]>;
  byUpstream: Map<number, WireRecord[]>;
  /** Which messages this link carried, as far as any witness can tell. */
  carried: Set<string>;
  /**
   * Records nothing on the wire ties to a message (no id crossed in clear, no hop accepted anything on their
   * connection) that the engine's log ties to one: the attempts it logged as failed, per message.
   */
  byLog: Map<string, WireRecord[]>;
  /** Records tied to no message, by the wire or the log. */
  untied: WireRecord[];
}

const cache = new WeakMap<TraceIndex, { version: number; links: Map<string, SessionlessLink> }>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The link's view, from the cache while `index` has not changed since it was built. */
export function sessionlessLink(index: TraceIndex, link: string): SessionlessLink {
  let entry = cache.get(index);
  if (!entry || entry.version !== index.version) cache.set(index, (entry = { version: index.version, links: new Map() }));
  const known = entry.links.get(link);
  if (known) return known;
  const engineEvents = index.engineEvents(link);
  const accepted = index.acceptedOn(link);
  const wires = index.wires(link).map((e) => e.record);
  const facts = new Map<string, EngineEvent[]>();
  const carried = new Set<string>();
  for (const e of engineEvents) {
    if (e.messageId !== undefined) push(facts, e.messageId, e);
    if (e.messageId) carried.add(e.messageId);
  }
  for (const e of accepted) if (e.messageId) carried.add(e.messageId);
  const acceptedOn = new Set(accepted.map((e) => e.remotePort));
  /** Which messages the receiver accepted on each connection (by the proxy's upstream port, the remote port it saw). */
  const acceptedIds = new Map<number, Set<string>>();
  for (const e of accepted) if (e.messageId) acceptedIds.set(e.remotePort, (acceptedIds.get(e.remotePort) ?? new Set()).add(e.messageId));
  const byClearId = new Map<string, WireRecord[]>();
  const byUpstream = new Map<number, WireRecord[]>();
  for (const w of wires) {
    // An id in clear counts for its message only on a connection the receiver did not take as other mail:
    // anyone can write `X-Mailhop-Id: m1` into mail sent by hand, and that must not claim m1's outcome.
    const took = w.upstreamPort !== undefined ? acceptedIds.get(w.upstreamPort) : undefined;
    const ids = [...new Set(w.plaintextMessageIds)].filter((id) => !took || took.has(id));
    for (const id of ids) carried.add(id);
    for (const id of ids) push(byClearId, id, w);
    if (w.upstreamPort !== undefined) push(byUpstream, w.upstreamPort, w);
  }
  const unclaimed = wires.filter((w) => w.plaintextMessageIds.length === 0 && !(w.upstreamPort !== undefined && acceptedOn.has(w.upstreamPort)));
  // Several messages in flight: a failed attempt's connection belongs to the message the engine logged it for.
  const byLog = tieByLog(unclaimed, engineEvents);
  const logTied = new Set([...byLog.values()].flat());
  const built: SessionlessLink = {
    facts,
    wires,
    position: new Map(wires.map((w, i) => [w, i])),
    byClearId,
    byUpstream,
    carried,
    byLog,
    untied: unclaimed.filter((w) => !logTied.has(w)),
  };
  entry.links.set(link, built);
  return built;
}
