/**
 * Which delivery each open connection carries, per link, by the sender's local port: the link proxy's
 * faults look it up while the connection is open (an attacker acting on "the first attempt" must know
 * which attempt it sees). An entry goes once the sender recorded its session; a long `mailhop up` would
 * otherwise keep one per port ever used, up to ~28,000 per link.
 */
import type { ConnectionInfo } from '../mta/relay-target.js';
import type { TraceEvent } from '../trace/events.js';

export class OpenConnections {
  private readonly byLink = new Map<string, Map<number, ConnectionInfo>>();

  /** The sender of `link` connected from `info.localPort`. */
  opened(link: string, info: ConnectionInfo): void {
    let open = this.byLink.get(link);
    if (!open) this.byLink.set(link, (open = new Map()));
    open.set(info.localPort, info);
  }

  /** The delivery the connection from `port` carries on `link`, while it is open. */
  of(link: string, port: number): ConnectionInfo | undefined {
    return this.byLink.get(link)?.get(port);
  }

  /** Trace subscriber: a `session` event ends the entry it belongs to (and no newer one on the same port). */
  observe(e: TraceEvent): void {
    if (e.kind !== 'session') return;
    const open = this.byLink.get(e.link);
    const info = open?.get(e.localPort);
    if (info && info.messageId === e.messageId && info.attempt === e.attempt && info.connection === e.connection) open!.delete(e.localPort);
  }

  /** Entries still open, over every link (for tests of the bound). */
  get size(): number {
    let n = 0;
    for (const open of this.byLink.values()) n += open.size;
    return n;
  }
}
