/**
 * The scenario's `runFor`, given to each message: a message may be retried until `runFor` of
 * virtual time after it entered the chain (submitted by the client, or sent by hand to any hop),
 * and the run lasts as long as the latest such budget. Under `run` every message enters at 0, so
 * this is one deadline at `runFor`; under `mailhop up` a message sent after others have used up
 * virtual time still gets its whole retry schedule, as each message in a real queue has its own
 * lifetime (Postfix maximal_queue_lifetime counts from a message's arrival, not the daemon's start).
 */
import type { TraceEvent } from '../trace/events.js';

export class RunBudget {
  /** Messages not yet delivered or bounced: virtual time, ms, they entered the chain. */
  private readonly entered = new Map<string, number>();
  private latest: number;

  /**
   * @param runForMs each message's budget, virtual ms (scenario `runFor`).
   * @param now the virtual clock's reading, ms.
   */
  constructor(
    private readonly runForMs: number,
    private readonly now: () => number,
  ) {
    this.latest = runForMs;
  }

  /** Feed every trace event, in order: the first `queued` or `accepted` of an id is its entry; delivery or a bounce ends it. */
  observe(e: TraceEvent): void {
    if ((e.kind === 'queued' || e.kind === 'accepted') && !this.entered.has(e.messageId)) {
      this.entered.set(e.messageId, e.at);
      this.latest = Math.max(this.latest, e.at + this.runForMs);
    } else if (e.kind === 'delivered' || e.kind === 'bounced') {
      this.entered.delete(e.messageId);
    }
  }

  /** Last virtual time, ms, at which message `id` may be retried (from now when it was never seen). */
  until(id: string): number {
    return (this.entered.get(id) ?? this.now()) + this.runForMs;
  }

  /** Virtual time, ms, at which the run ends: the latest budget of any message seen (at least `runFor`). */
  end(): number {
    return this.latest;
  }
}
