import { MailhopError } from '../errors.js';

/**
 * Per-destination concurrency: at most `limit` delivery attempts to one next hop are in progress at
 * once, the rest wait their turn in the order they asked (Postfix
 * `default_destination_concurrency_limit`, default 20). Without it, a retry storm (thousands of
 * retries falling due at the same virtual instant) opens every session at once, and which of them
 * meet their real-time reply timeout depends on how busy the machine is.
 */
export class SessionSlots {
  private active = 0;
  /** Waiting turns, oldest first; `head` is the next to go (no O(n) shift per turn). */
  private waiting: Array<() => void> = [];
  private head = 0;

  /** @param limit sessions allowed at once, an integer >= 1 (the schema's `concurrencyLimit`). @throws MailhopError `EINTERNAL` otherwise. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw MailhopError.of('EINTERNAL', { where: 'session slots', what: `allow ${limit} sessions at once`, why: 'a concurrency limit is an integer >= 1' });
    }
  }

  /** Attempts in progress now (at most `limit`). */
  get inUse(): number {
    return this.active;
  }

  /** Attempts waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /**
   * Runs `work` once a slot is free (at once when one is), and frees the slot when it settles,
   * whether it resolved or threw. Turns are given first come, first served.
   * @returns what `work` returns; rejects with what it throws.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Hands the slot straight to the oldest waiter (so `active` never dips and lets a newcomer jump the line). */
  private release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head++];
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
      return;
    }
    this.active--;
  }
}
