/**
 * The virtual clock of one chain. Queue retries are scheduled in virtual time, and the clock
 * jumps to the next scheduled retry as soon as no real work (an SMTP session, a relay) is in
 * flight, so "plaintext only after 5 minutes" runs in milliseconds. A wait that only mailhop itself makes
 * last (a link its stall fault silenced) runs on it too ({@link VirtualClock.idleFor}).
 */
interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class VirtualClock {
  /** Wall-clock time at virtual 0, ms since the epoch (Received header dates are based on it). */
  readonly wallStart = Date.now();
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  /** One-shot callbacks for the next moment nothing is in flight ({@link beforeIdle}). */
  private idleHooks: Array<() => void> = [];
  private stopped = false;

  /** Virtual ms since the run started. */
  now(): number {
    return this.t;
  }

  /** The virtual now as a Date (for Received headers). */
  date(): Date {
    return new Date(this.wallStart + this.t);
  }

  /** Runs `fn` when the virtual clock reaches `at` (ms). Returns a cancel function. */
  schedule(at: number, fn: () => void): () => void {
    const timer = { at: Math.max(at, this.t), seq: ++this.seq, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Marks real work as in flight until the promise settles; the clock never jumps meanwhile. */
  track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    return work.finally(() => this.release());
  }

  /**
   * Waits `ms` virtual ms from inside tracked work ({@link track}) that has nothing real to wait for meanwhile: a
   * client waiting on a connection mailhop's own stall fault silenced. The work stops counting as in flight, so the
   * clock may jump (to this timer or an earlier one) once nothing else is; it counts again from the moment `fn`
   * runs, or the wait is cancelled because something real happened first (the connection closed).
   * One such wait at a time per tracked work: each releases one unit of it. Called outside tracked work (nothing
   * in flight), it releases nothing.
   * @returns the cancel function; calling it after `fn` ran, or twice, does nothing.
   */
  idleFor(ms: number, fn: () => void): () => void {
    const released = this.busy > 0;
    let waiting = true;
    const resume = () => {
      if (!waiting) return false;
      waiting = false;
      if (released) this.busy++;
      return true;
    };
    const cancel = this.schedule(this.t + ms, () => {
      if (resume()) fn();
    });
    if (released) this.release();
    return () => {
      if (resume()) cancel();
    };
  }

  /**
   * Runs `fn` once, the next time no tracked work is in flight, before the clock counts as idle (before it jumps to a
   * timer or `run()` returns). Work `fn` tracks puts the idle off until it settles: a kept SMTP session ends with
   * QUIT before virtual time moves on (mta/kept-session.ts).
   */
  beforeIdle(fn: () => void): void {
    this.idleHooks.push(fn);
  }

  /** Virtual time of the earliest pending timer, or undefined. */
  nextTimerAt(): number | undefined {
    return this.timers.reduce<number | undefined>((min, t) => (min === undefined || t.at < min ? t.at : min), undefined);
  }

  private release(): void {
    this.busy--;
    if (this.busy === 0) {
      // Let callbacks queued by the finished work start theirs before declaring idle.
      setImmediate(() => {
        if (this.busy !== 0 || this.runIdleHooks()) return;
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      });
    }
  }

  /** Runs the hooks waiting for idle; true when they started tracked work (so the clock is busy again). */
  private runIdleHooks(): boolean {
    if (this.idleHooks.length === 0) return false;
    const hooks = this.idleHooks;
    this.idleHooks = [];
    for (const fn of hooks) fn();
    return this.busy !== 0;
  }

  private idle(): Promise<void> {
    if (this.busy === 0) return new Promise((resolve) => setImmediate(() => (this.busy === 0 && !this.runIdleHooks() ? resolve() : this.idleWaiters.push(resolve))));
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Drives the run: waits until no work is in flight, then jumps to the next timer, until
   * `isDone()` holds, no timer is left, or the next timer is later than the limit (virtual ms).
   * `limit` may be a function, read again at every step: a chain that accepts mail while it runs
   * (`mailhop up`) moves it on as messages arrive.
   * @returns `'done'` when isDone() held, `'limit'` when time ran out (or nothing was left to do).
   */
  async run(limit: number | (() => number), isDone: () => boolean): Promise<'done' | 'limit' | 'stopped'> {
    for (;;) {
      await this.idle();
      if (this.stopped) return 'stopped';
      if (isDone()) return 'done';
      const next = this.nextTimerAt();
      const limitMs = typeof limit === 'number' ? limit : limit();
      if (next === undefined || next > limitMs) {
        this.t = Math.max(this.t, Math.min(limitMs, next ?? limitMs));
        return 'limit';
      }
      this.t = Math.max(this.t, next);
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const timer of due) timer.fn();
    }
  }

  /** Stops a running `run()` at its next idle point and drops all timers. */
  stop(): void {
    this.stopped = true;
    this.timers = [];
    this.idleHooks = [];
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
