/**
 * The JSON-line protocol between a containerised hop or link proxy and the chain that started it
 * (over a loopback TCP socket of the chain, `MAILHOP_CONTROL=host:port`). Without a control address
 * (docker compose) the unit prints the same lines on stdout for people to read.
 */
import type { NewEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import type { CarriedDelivery } from '../link/faults/index.js';

/** Unit -> chain. */
export type UnitLine =
  | { hello: string; address: { host: string; port: number } }
  | { event: NewEvent }
  /** An accepted message (raw as base64); the hop hands it over before it answers 250. */
  | { message: { id: string; from: string; to: string[]; raw: string; inbound: { version: string; cipher: string } | null } }
  | { open: true }
  | { record: WireRecord };

/** Chain -> unit. */
export type ChainLine =
  | { delivery: CarriedDelivery & { clientPort: number } }
  /** The chain's virtual now, ms (Received header dates). */
  | { now: number };

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
