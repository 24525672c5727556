/**
 * Which of the chain's own senders' connections mailhop's stall fault has silenced (docs/behaviour.md#A-stall), per
 * link, by the sender's local port as the link proxy sees it. The fault tells it when it swallows its first bytes;
 * from then on nothing crosses that connection again, so the sender's waits on it (the TLS handshake, a reply) would
 * only measure mailhop's own silence: they elapse on the chain's virtual clock instead of in real time, and
 * the sender stops counting as work in flight while it waits. A `starttlsTimeout: 300s` behind `fault: stall` then
 * times out after 300 virtual seconds at a real cost of milliseconds, and everything after it (fallback, retries,
 * Received dates, DSNs) sees the clock move. Waits on any other connection (a slow real peer, a `delay` fault) stay
 * real, as do the waits of a real engine sender (its own clock): only connections the chain's senders registered
 * through {@link waitsFor} are followed.
 */
import type { ConnectionWaits } from '../mta/connection-waits.js';
import { REAL_WAITS } from '../mta/connection-waits.js';
import type { VirtualClock } from './virtual-clock.js';

type Clock = Pick<VirtualClock, 'idleFor'>;

export class StalledConnections {
  readonly #clock: Clock;
  /** Open connections of the chain's senders, by `<link> <port>`. */
  readonly #open = new Map<string, StallAwareWaits>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * The waits of the sender's connection from `port` on `link`: real until that connection is {@link stalled}, then
   * virtual, the wait in progress included (its whole limit counted from then: the virtual clock stood still since
   * it began, as the sender was work in flight). Asked once the connection is open, before it sends a byte.
   */
  waitsFor(link: string, port: number): ConnectionWaits {
    const key = `${link} ${port}`;
    const waits = new StallAwareWaits(this.#clock, () => {
      if (this.#open.get(key) === waits) this.#open.delete(key);
    });
    this.#open.set(key, waits);
    return waits;
  }

  /** The stall fault on `link` silenced the connection from `port` for good. A connection of no sender of the chain's is ignored. */
  stalled(link: string, port: number): void {
    this.#open.get(`${link} ${port}`)?.stall();
  }

  /** Connections followed now, over every link (for tests of the bound). */
  get size(): number {
    return this.#open.size;
  }
}

interface Wait {
  ms: number;
  fire: () => void;
  cancel: () => void;
}

/** Real waits until {@link stall}, virtual ones from then on. */
class StallAwareWaits implements ConnectionWaits {
  #virtual = false;
  #current: Wait | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly forget: () => void,
  ) {}

  get virtual(): boolean {
    return this.#virtual;
  }

  start(ms: number, onElapsed: () => void): () => void {
    const wait: Wait = {
      ms,
      fire: () => {
        if (this.#current === wait) this.#current = null;
        onElapsed();
      },
      cancel: () => {},
    };
    wait.cancel = this.#virtual ? this.clock.idleFor(ms, wait.fire) : REAL_WAITS.start(ms, wait.fire);
    this.#current = wait;
    return () => {
      if (this.#current !== wait) return;
      this.#current = null;
      wait.cancel();
    };
  }

  stall(): void {
    if (this.#virtual) return;
    this.#virtual = true;
    const wait = this.#current;
    if (!wait) return;
    wait.cancel();
    wait.cancel = this.clock.idleFor(wait.ms, wait.fire);
  }

  close(): void {
    this.forget();
  }
}
