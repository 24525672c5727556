/**
 * `fallbackMemory: destination-run` (docs/behaviour.md#B-fallback-memory): a queue run that remembers a failed
 * TLS handshake for its destination. Sendmail's queue runner takes the queued messages one after another and
 * keeps each host's status for the rest of the run, so once the handshake failed for one message the next ones
 * to that host are deferred without a connection; the next run starts afresh (observed with Sendmail 8.17.1.9,
 * test/engines/fallback-memory.test.ts). On the virtual clock a run is the retries that fall due at one instant.
 */
import type { AttemptOutcome } from './relay-target.js';

/** The retries of one virtual instant to one destination, in turn, and the failure the run met, if any. */
export class QueueRun {
  /** Virtual time of the run, ms; -1 before the first. */
  #at = -1;
  /** The last retry of the run: the next one goes after it has settled. */
  #tail: Promise<unknown> = Promise.resolve();
  /** The outcome of the failed handshake that marks the destination for the rest of the run. */
  #failure: AttemptOutcome | undefined;

  /**
   * Runs `attempt` in the run of virtual instant `now` (ms), after the retries that joined before it; once a
   * handshake failed in the run, returns that failure's `deferred` outcome instead, without calling `attempt`.
   * @returns what `attempt` returned, or the run's remembered failure.
   */
  join(now: number, attempt: () => Promise<AttemptOutcome>): Promise<AttemptOutcome> {
    if (now !== this.#at) {
      this.#at = now;
      this.#tail = Promise.resolve();
      this.#failure = undefined;
    }
    const turn = this.#tail.then(async () => {
      if (this.#failure) return { result: 'deferred' as const, reply: this.#failure.reply };
      const outcome = await attempt();
      if (outcome.handshakeFailed && outcome.result === 'deferred' && this.#at === now) this.#failure = outcome;
      return outcome;
    });
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}
