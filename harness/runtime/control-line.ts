/**
 * The JSON-line protocol between a containerised hop or link proxy and the chain that started it
 * (over a loopback TCP socket of the chain, `MAILHOP_CONTROL=host:port`). Without a control address
 * (docker compose) the unit prints the same lines on stdout for people to read.
 */
import type { NewEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import type { CarriedDelivery } from '../link/faults/index.js';
import type { IdClaim, IdDecision, PeerEnd } from '../mta/id-claim.js';

/** Unit -> chain. */
export type UnitLine =
  | { hello: string; address: { host: string; port: number } }
  | { event: NewEvent }
  /**
   * An accepted message (raw as base64); the hop hands it over before it answers 250. With `ack` (a unit in a worker
   * thread) the hop holds its 250 until the chain answers `{ owned }` with the same number.
   */
  | { message: { id: string; from: string; to: string[]; raw: string; inbound: { version: string; cipher: string } | null; requireTls?: true }; ack?: number }
  | { open: true }
  /** A stall fault silenced the connection from this client port (the sender's waits on it go virtual). */
  | { stalled: number }
  | { record: WireRecord }
  /** A hop asks how to settle a message's id (`mailhop up`); the chain answers `{ decision }` with the same `n`. */
  | { claim: { n: number; claim: IdClaim } }
  /** A link proxy answers `{ clientOf }`: the client end of the connection, or none. */
  | { client: { n: number; end?: PeerEnd } };

/** Chain -> unit. */
export type ChainLine =
  | { delivery: CarriedDelivery & { clientPort: number } }
  /** The chain's virtual now, ms (Received header dates). */
  | { now: number }
  | { decision: { n: number; decision: IdDecision } }
  /** The chain owns the message of the hop's `{ message, ack }` with this number. */
  | { owned: number }
  /** Which client the proxy's open connection with this upstream end serves (link-proxy.ts `clientOf`). */
  | { clientOf: { n: number; upstream: PeerEnd } };

/** Splits a stream of bytes into parsed JSON lines. */
export function lineReader(onLine: (value: unknown) => void): (chunk: Buffer | string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        onLine(JSON.parse(line));
      } catch {
        // not one of ours (a stray log line): ignored
      }
    }
  };
}

/**
 * Numbered questions over a control socket (`claim` → `decision`, `clientOf` → `client`): `ask` sends one
 * and resolves with its answer; `closeAll` answers every open question with `value` (the socket closed).
 */
export class PendingAnswers<T> {
  #next = 0;
  readonly #waiting = new Map<number, (value: T) => void>();

  ask(send: (n: number) => void): Promise<T> {
    const n = ++this.#next;
    return new Promise<T>((resolve) => {
      this.#waiting.set(n, resolve);
      send(n);
    });
  }

  answer(n: number, value: T): void {
    this.#waiting.get(n)?.(value);
    this.#waiting.delete(n);
  }

  closeAll(value: T): void {
    for (const resolve of this.#waiting.values()) resolve(value);
    this.#waiting.clear();
  }
}
