/**
 * A passive wiretap for tests: every byte a client sends to a loopback listener of this process
 * (a link proxy's "send to" address), as an observer on that plaintext link would capture it.
 * Listens through Node's `net.server.socket` diagnostics channel; it adds a reader and never
 * changes what the server reads.
 */
import dc from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

export interface Wiretap {
  /** What clients sent to the port so far, each connection's bytes in the order they arrived. */
  captured(): Buffer;
  stop(): void;
}

export function wiretap(port: number): Wiretap {
  const chunks: Buffer[] = [];
  const onSocket = (message: unknown) => {
    const { socket } = message as { socket: Socket };
    if (socket.localPort !== port) return;
    socket.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  };
  dc.subscribe('net.server.socket', onSocket);
  return { captured: () => Buffer.concat(chunks), stop: () => dc.unsubscribe('net.server.socket', onSocket) };
}
