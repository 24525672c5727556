/**
 * How the timed waits of one client connection elapse (smtp-client.ts: the TLS handshake; reply-reader.ts: each
 * reply). In real time by default; a chain gives its senders' connections waits that move to its virtual clock once
 * mailhop's own stall fault has silenced the connection (chain/stalled-connections.ts), so a product's 300 s
 * handshake timeout behind `fault: stall` costs milliseconds (docs/behaviour.md#A-stall).
 */

/** The timed waits of one connection; it waits for one thing at a time. */
export interface ConnectionWaits {
  /**
   * Calls `onElapsed` once `ms` have passed, unless cancelled first.
   * @param ms the limit, ms (real or virtual, as {@link virtual} says by the time it elapses)
   * @returns the cancel function (idempotent; does nothing once `onElapsed` ran)
   */
  start(ms: number, onElapsed: () => void): () => void;
  /** The waits run on the chain's virtual clock (the connection is silenced by mailhop): said in timeout messages. */
  readonly virtual: boolean;
  /** The connection is gone: no wait starts on it again (lets a registry forget it). */
  close(): void;
}

/** Waits in real time (Node timers). */
export const REAL_WAITS: ConnectionWaits = {
  start(ms, onElapsed) {
    const timer = setTimeout(onElapsed, ms);
    return () => clearTimeout(timer);
  },
  virtual: false,
  close() {},
};

/** `<ms> ms`, and for a virtual wait what made it one, for a timeout message (`TLS handshake timed out after ...`). */
export function waited(ms: number, waits: ConnectionWaits): string {
  return waits.virtual ? `${ms} ms of virtual time, the link silenced by a stall fault` : `${ms} ms`;
}
