/**
 * Backpressure between relayed sockets (a link connection, a front): a socket is paused while
 * anything holds it, and a write into a congested socket holds the writing side's source until
 * the congested one drains, so a peer that never reads cannot make the relay buffer without bound.
 */
import type net from 'node:net';

/** Why a socket is paused: the owner's reason, or the congested socket its bytes were going to. */
export type HoldReason = string | net.Socket;

/** Pauses and resumes the sources of relayed bytes; see {@link Backpressure.write}. */
export class Backpressure {
  readonly #holds = new Map<net.Socket, Set<HoldReason>>();
  /** Congested destinations: the sources each one holds and its one drain listener. */
  readonly #congested = new Map<net.Socket, { sources: Set<net.Socket>; onDrain: () => void }>();

  /**
   * Writes `bytes` to `to` (nothing once it is closed) and, if `to` is congested, pauses `from`
   * until it drains. One drain listener per congestion, not per write: a relay writes a chunk of
   * pipelined commands line by line, and a listener per line would pile up (10,000 NOOPs, 10,000
   * listeners). `from` may be `to` itself when the relay answers on its own.
   */
  write(to: net.Socket, from: net.Socket, bytes: Buffer | string): void {
    if (to.destroyed || to.writableEnded) return;
    if (to.write(bytes)) return;
    let congestion = this.#congested.get(to);
    if (!congestion) {
      const sources = new Set<net.Socket>();
      const onDrain = () => {
        this.#congested.delete(to);
        for (const source of sources) this.release(source, to);
      };
      congestion = { sources, onDrain };
      this.#congested.set(to, congestion);
      to.once('drain', onDrain);
    }
    if (!congestion.sources.has(from)) {
      congestion.sources.add(from);
      this.hold(from, to);
    }
  }

  /** Pauses `socket` until every reason it is held for is released. */
  hold(socket: net.Socket, reason: HoldReason): void {
    const reasons = this.#holds.get(socket) ?? new Set<HoldReason>();
    this.#holds.set(socket, reasons.add(reason));
    socket.pause();
  }

  /** Drops one reason; resumes `socket` when none is left. */
  release(socket: net.Socket, reason: HoldReason): void {
    const reasons = this.#holds.get(socket);
    reasons?.delete(reason);
    if (!reasons || reasons.size === 0) socket.resume();
  }

  /** Forgets every hold and removes the drain listeners; each socket stays paused or flowing as it is. */
  detach(): void {
    for (const [socket, { onDrain }] of this.#congested) socket.off('drain', onDrain);
    this.#congested.clear();
    this.#holds.clear();
  }
}
