/**
 * Which messages sit in a real engine or an external server (hops whose queue mailhop cannot see), seen
 * from the trace: a message enters when the previous hop relayed it there (or the engine logged
 * accepting it) and leaves when the engine logs it relayed, delivered to its mailbox or bounced (an
 * external gateway, which has no log here: when the next hop accepts it). The next hop's acceptance
 * comes a moment before the engine reads the 250, and stopping the chain in between would make it
 * defer the message it already passed on, so until the log says so the clock keeps waiting (but the
 * message no longer counts as held). While a message is inside and not yet settled, the virtual clock is held
 * (it must not jump, or end the run, while real time does the work); it settles after the engine
 * deferred it `settleAfterDeferrals` times or after `settleMs` of real time.
 */
import type { VirtualClock } from '../chain/virtual-clock.js';
import type { TraceEvent } from '../trace/events.js';

/** A real engine or an external server: a hop whose queue mailhop cannot see. */
export interface EngineOrExternalHop {
  hopId: string;
  inboundLink: string;
  /** null for a final mailbox. */
  outboundLink: string | null;
  /** Deferrals after which its message is settled; Infinity for an external gateway. */
  settleAfterDeferrals: number;
  /** `engine`: its log is read (relayed/deferred/bounced come from `engine` and queue events); `external`: nothing is. */
  kind: 'engine' | 'external';
}

interface Hold {
  hop: EngineOrExternalHop;
  messageId: string;
  deferrals: number;
  /** The next hop accepted it (it is no longer held here, though the engine may not know yet). */
  forwarded: boolean;
  release: () => void;
}

export class EngineHolds {
  private readonly holds = new Map<string, Hold>();
  private readonly left = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly hops: readonly EngineOrExternalHop[],
    private readonly clock: VirtualClock,
    /** Real-time bound for one message inside one such hop, ms. */
    private readonly settleMs: number,
  ) {}

  /** Feed every trace event, in order. */
  observe(e: TraceEvent): void {
    for (const hop of this.hops) {
      if (!('messageId' in e) || !e.messageId) continue;
      const key = `${hop.hopId}\0${e.messageId}`;
      const entered = (e.kind === 'session' && e.result === 'relayed' && e.link === hop.inboundLink) || (e.kind === 'accepted' && e.link === hop.inboundLink);
      const forwarded = e.kind === 'accepted' && hop.outboundLink !== null && e.link === hop.outboundLink;
      const leaving =
        (forwarded && hop.kind === 'external') ||
        (e.kind === 'engine' && e.fact === 'relayed' && e.hop === hop.hopId) ||
        (e.kind === 'delivered' && e.hop === hop.hopId) ||
        (e.kind === 'bounced' && e.hop === hop.hopId);
      if (entered && !this.holds.has(key) && !this.left.has(key)) this.hold(key, hop, e.messageId);
      const h = this.holds.get(key);
      if (forwarded && h) h.forwarded = true;
      if (leaving) {
        this.left.add(key);
        h?.release();
        this.holds.delete(key);
      }
      if (e.kind === 'deferred' && e.hop === hop.hopId && h && ++h.deferrals >= hop.settleAfterDeferrals) h.release();
    }
  }

  /** Messages inside such hops now. */
  held(): Array<{ messageId: string; hop: string }> {
    return [...this.holds.values()].filter((h) => !h.forwarded).map((h) => ({ messageId: h.messageId, hop: h.hop.hopId }));
  }

  /** The message a hop holds, when it holds exactly one (for log lines that name none). */
  only(hopId: string): string | undefined {
    const mine = [...this.holds.values()].filter((h) => h.hop.hopId === hopId);
    return mine.length === 1 ? mine[0].messageId : undefined;
  }

  /** Lets the clock go and cancels the real-time bounds. */
  dispose(): void {
    for (const h of this.holds.values()) h.release();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private hold(key: string, hop: EngineOrExternalHop, messageId: string): void {
    let release!: () => void;
    const settled = new Promise<void>((resolve) => (release = resolve));
    const timer = setTimeout(release, this.settleMs);
    timer.unref();
    this.timers.add(timer);
    void this.clock.track(settled.finally(() => {
      clearTimeout(timer);
      this.timers.delete(timer);
    }));
    this.holds.set(key, { hop, messageId, deferrals: 0, forwarded: false, release });
  }
}
