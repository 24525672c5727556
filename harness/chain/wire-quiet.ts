/**
 * Whether every proxied connection mailhop's own senders opened has been recorded. A wire record arrives
 * when both sockets of a connection have closed, a moment after the sender's session ended; settling waits
 * for them so that a report never lacks the wire witness. Connections of a real engine or an external
 * gateway are not counted: OpenSMTPD, for one, keeps an idle connection open 10 s.
 */
export class WireQuiet {
  private opened = 0;
  private finished = 0;
  private waiter: (() => void) | null = null;

  /** A connection opened on a link whose sender mailhop drives. */
  open(): void {
    this.opened++;
  }

  /** Its record arrived. */
  recorded(): void {
    this.finished++;
    if (this.waiter && this.quiet()) this.waiter();
  }

  /** Every counted connection has its record. */
  quiet(): boolean {
    return this.finished >= this.opened;
  }

  /** Resolves once quiet, or after `limitMs` real ms (a record that never comes must not hold a run). */
  wait(limitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.quiet()) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.waiter = null;
        resolve();
      };
      const timer = setTimeout(done, limitMs);
      this.waiter = done;
    });
  }
}
