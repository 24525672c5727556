/**
 * Which wire record is the connection a session used (or, for mail sent by hand, the connection a hop
 * accepted it on). The sender's session and the link proxy's record name the same TCP connection by
 * the sender's port (`SessionEvent.localPort` = `WireRecord.clientPort`); a hop's acceptance and the
 * record by the proxy's upstream port (`AcceptedEvent.remotePort` = `WireRecord.upstreamPort`). Ports
 * are reused, often within seconds on a busy link (a port is free again once its side closed), so
 * the port alone does not tell one connection from an older one: they are paired as they are
 * recorded. A session and its record arrive close together, in either order (the session when the
 * sender closed, the record once both of the proxy's sockets closed), and a connection on a reused
 * port opens only after the last one on it closed: so a session pairs with the waiting record of its
 * link and port, else waits for the next one; an acceptance pairs with the next record of its port.
 * A record nothing claims (a connection that carried no message) stays unpaired. A session that ran on a kept
 * connection (`sharedSession`, several messages on one connection) pairs with the record of the session that
 * opened the connection, the last one on its link and port: that connection is still open, so its port is not free.
 */
import type { AcceptedEvent, SessionEvent, WireEvent } from '../trace/events.js';

/** What waits on one link and port for its other half. */
interface Waiting {
  session?: SessionEvent;
  record?: WireEvent;
  accepted?: AcceptedEvent;
}

/** Pairs sessions and acceptances with wire records; feed it every one of them in trace order. */
export class ConnectionPairing {
  readonly #pairs = new Map<SessionEvent | AcceptedEvent, WireEvent>();
  /** How many sessions and acceptances claim each record (several sessions share a kept connection's). */
  readonly #paired = new Map<WireEvent, number>();
  /** By `${link}\0c${clientPort}` (sessions) and `${link}\0u${upstreamPort}` (acceptances). */
  readonly #waiting = new Map<string, Waiting>();
  /** The last session that opened a connection, by `${link}\0c${clientPort}`: what a shared session rides. */
  readonly #opener = new Map<string, SessionEvent>();
  /** Shared sessions waiting for their opener's record. */
  readonly #riders = new Map<SessionEvent, SessionEvent[]>();

  /** Files a session, an acceptance or a wire record. */
  add(e: SessionEvent | AcceptedEvent | WireEvent): void {
    if (e.kind === 'session') {
      const key = `${e.link}\0c${e.localPort}`;
      if (e.sharedSession) return this.#ride(key, e);
      this.#opener.set(key, e);
      const w = this.#waiting.get(key);
      if (w?.record) {
        this.#pair(e, w.record);
        this.#settle(key, { ...w, record: undefined });
      } else this.#waiting.set(key, { ...w, session: e });
    } else if (e.kind === 'accepted') {
      const key = `${e.link}\0u${e.remotePort}`;
      this.#waiting.set(key, { ...this.#waiting.get(key), accepted: e });
    } else {
      const key = `${e.link}\0c${e.record.clientPort}`;
      const w = this.#waiting.get(key);
      if (w?.session) {
        this.#pair(w.session, e);
        this.#settle(key, { ...w, session: undefined });
      } else this.#waiting.set(key, { ...w, record: e });
      const upstream = e.record.upstreamPort;
      if (upstream === undefined) return;
      const ukey = `${e.link}\0u${upstream}`;
      const u = this.#waiting.get(ukey);
      if (u?.accepted) {
        this.#claim(u.accepted, e);
        this.#settle(ukey, { ...u, accepted: undefined });
      }
    }
  }

  /** The record of the connection `e` used (a session) or was accepted on (an acceptance), once recorded. */
  wireOf(e: SessionEvent | AcceptedEvent): WireEvent | undefined {
    return this.#pairs.get(e);
  }

  /** True when a session or an acceptance claimed `record`. */
  claimed(record: WireEvent): boolean {
    return this.#paired.has(record);
  }

  /** Forgets `e` (a session or acceptance) and its pairing; returns the record it claimed, if nothing else claims it. */
  forget(e: SessionEvent | AcceptedEvent): WireEvent | undefined {
    let record = this.#pairs.get(e);
    this.#pairs.delete(e);
    if (e.kind === 'session') {
      this.#riders.delete(e);
      const key = `${e.link}\0c${e.localPort}`;
      if (this.#opener.get(key) === e) this.#opener.delete(key);
    }
    const claims = record ? (this.#paired.get(record) ?? 1) - 1 : 0;
    if (record && claims > 0) {
      this.#paired.set(record, claims);
      record = undefined;
    } else if (record) {
      this.#paired.delete(record);
      // A record paired by its upstream port (mail sent by hand) still waits for a session on its client port.
      this.forgetRecord(record);
    }
    const key = e.kind === 'session' ? `${e.link}\0c${e.localPort}` : `${e.link}\0u${e.remotePort}`;
    const w = this.#waiting.get(key);
    if (w && (w.session === e || w.accepted === e)) this.#settle(key, { ...w, ...(w.session === e ? { session: undefined } : { accepted: undefined }) });
    return record;
  }

  /** Forgets a record's place in the queue of its client port (it was forgotten, or swept: nothing can claim it). */
  forgetRecord(record: WireEvent): void {
    const key = `${record.link}\0c${record.record.clientPort}`;
    const w = this.#waiting.get(key);
    if (w?.record === record) this.#settle(key, { ...w, record: undefined });
  }

  #pair(session: SessionEvent, record: WireEvent): void {
    this.#claim(session, record);
    for (const rider of this.#riders.get(session) ?? []) this.#claim(rider, record);
    this.#riders.delete(session);
  }

  #claim(e: SessionEvent | AcceptedEvent, record: WireEvent): void {
    this.#pairs.set(e, record);
    this.#paired.set(record, (this.#paired.get(record) ?? 0) + 1);
  }

  /** A shared session takes its opener's record, now or once it is paired. */
  #ride(key: string, e: SessionEvent): void {
    const opener = this.#opener.get(key);
    if (!opener) return;
    const record = this.#pairs.get(opener);
    if (record) this.#claim(e, record);
    else this.#riders.set(opener, [...(this.#riders.get(opener) ?? []), e]);
  }

  /** Keeps what still waits on a port; drops the port when nothing does. */
  #settle(key: string, w: Waiting): void {
    if (w.session || w.record || w.accepted) this.#waiting.set(key, w);
    else this.#waiting.delete(key);
  }
}
