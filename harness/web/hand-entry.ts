/**
 * Where mail sent by hand came into a running chain (`mailhop up`): the link it arrived on with no sender
 * witness, the receiver's `accepted` event and the wire record of that connection. On that link the
 * recipient's Received header is checked against the wire's own account of the connection (did a TLS
 * handshake complete), since no sender session exists to judge; links before it never carried the message.
 * Pure: the report and the trace in, facts out.
 */
import type { Scenario } from '../scenario/schema.js';
import type { AcceptedEvent, TraceEvent, WireEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import type { MessageReport, ScenarioReport } from '../verdict/judge-scenario.js';
import type { HeaderAccount } from '../verdict/header-reconstruction.js';
import type { TraceIndex } from '../verdict/trace-index.js';

/** Mail sent by hand: where it came in. */
export interface HandEntry {
  /** Index of the link in the chain. */
  index: number;
  link: string;
  accepted: AcceptedEvent;
  /** The connection it came in on, as the link proxy saw it (absent while the connection is still open). */
  wire?: WireRecord;
  /** How the content crossed that connection: the wire's account when it has one, else the receiver's. */
  actual: 'tls' | 'plain';
}

/** Wire records by link name, indexed once per trace. */
export function wireByLink(events: readonly TraceEvent[]): Map<string, WireRecord[]> {
  const out = new Map<string, WireRecord[]>();
  for (const e of events) {
    if (e.kind !== 'wire') continue;
    const list = out.get(e.link);
    if (list) list.push((e as WireEvent).record);
    else out.set(e.link, [(e as WireEvent).record]);
  }
  return out;
}

/**
 * Where the message came in by hand, or undefined (sent by the chain's own client): the first link it was
 * accepted on whose sender mailhop drives (the injecting client or a mock hop) but opened no session for it.
 */
export function handEntryOf(message: MessageReport, indexed: TraceIndex, scenario: Scenario, wires: ReadonlyMap<string, readonly WireRecord[]>): HandEntry | undefined {
  const own = indexed.own(message.messageId);
  for (const [index, l] of message.links.entries()) {
    const driven = index === 0 || scenario.hops[index - 1].engine === 'mock';
    const accepted = own.find((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === l.link);
    if (!driven || l.sessions > 0 || !accepted) continue;
    // The proxy's upstream port is the client port the receiver saw (WireRecord.upstreamPort).
    const wire = wires.get(l.link)?.find((w) => w.upstreamPort === accepted.remotePort);
    const byWire = wire ? wire.handshake === 'established' && !wire.tls?.nullCipher : undefined;
    const byReceiver = Boolean(accepted.tls && !accepted.tls.nullCipher);
    return { index, link: l.link, accepted, ...(wire ? { wire } : {}), actual: (byWire ?? byReceiver) ? 'tls' : 'plain' };
  }
  return undefined;
}

/**
 * The report's header accounts with mail sent by hand put right: links before its entry left out, and on
 * the entry link the headers' claim set against how the content crossed that connection (the report,
 * lacking a sender witness, counts it as never crossed).
 */
export function handEntryAccounts(report: ScenarioReport, entries: ReadonlyMap<string, HandEntry>): HeaderAccount[] {
  const order = report.links.map((l) => l.link);
  return (report.headers ?? []).flatMap((a) => {
    const entry = entries.get(a.messageId);
    if (!entry) return [a];
    const at = order.indexOf(a.link);
    if (at < entry.index) return [];
    if (at > entry.index) return [a];
    return [{ ...a, actual: entry.actual, agrees: a.believed === entry.actual }];
  });
}
