/**
 * The connections of the application under test on the submission link (`submit: { sender: app }`), numbered in
 * the order the link proxy first asks about them: what `attempts: [n]` counts on that link, since the application
 * announces nothing (a mailhop sender says which delivery attempt each connection carries; open-connections.ts).
 * The n-th connection the application opens is attempt n; a port's entry goes when its wire record is final, so a
 * port the system hands out again starts a new attempt.
 */
import type { CarriedDelivery } from '../link/faults/fault-common.js';

/** The message id the faults see on the application's connections (kill-handshake's `thenStrip` keys on it). */
export const APP_MESSAGE = 'app';

export class AppConnections {
  #opened = 0;
  readonly #open = new Map<number, CarriedDelivery>();

  /** The application's connection from `port`: its attempt number, from 1, given when first asked. */
  of(port: number): CarriedDelivery {
    let known = this.#open.get(port);
    if (!known) this.#open.set(port, (known = { messageId: APP_MESSAGE, attempt: ++this.#opened, connection: 1 }));
    return known;
  }

  /** The connection from `port` ended (its wire record came). */
  closed(port: number): void {
    this.#open.delete(port);
  }
}
