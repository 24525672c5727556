/**
 * Which delivery each connection of a link proxy carries, as the chain announces it to a proxy that runs elsewhere
 * (a container, a worker thread): by the sender's local port. An announcement travels apart from the connection's
 * bytes, so a fault may ask before it arrived; {@link AnnouncedDeliveries.wait} waits for it (`FaultEnv.awaitDelivery`).
 */
import type { CarriedDelivery } from '../link/faults/index.js';

export class AnnouncedDeliveries {
  readonly #known = new Map<number, CarriedDelivery>();
  readonly #waiting = new Map<number, Array<(delivery: CarriedDelivery) => void>>();

  /** The chain announced that the connection from `clientPort` carries `delivery`. */
  announced(clientPort: number, delivery: CarriedDelivery): void {
    this.#known.set(clientPort, delivery);
    for (const resolve of this.#waiting.get(clientPort) ?? []) resolve(delivery);
    this.#waiting.delete(clientPort);
  }

  /** The delivery announced for `clientPort`, if it was. */
  of(clientPort: number): CarriedDelivery | undefined {
    return this.#known.get(clientPort);
  }

  /** The delivery of `clientPort` once announced; undefined after `timeoutMs` real ms without one. */
  wait(clientPort: number, timeoutMs: number): Promise<CarriedDelivery | undefined> {
    return new Promise((resolve) => {
      const known = this.#known.get(clientPort);
      if (known) return resolve(known);
      const list = this.#waiting.get(clientPort) ?? [];
      const waiter = (delivery: CarriedDelivery) => {
        clearTimeout(timer);
        resolve(delivery);
      };
      const timer = setTimeout(() => {
        list.splice(list.indexOf(waiter), 1);
        if (list.length === 0) this.#waiting.delete(clientPort);
        resolve(undefined);
      }, timeoutMs);
      list.push(waiter);
      this.#waiting.set(clientPort, list);
    });
  }
}
