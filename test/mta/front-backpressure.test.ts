/**
 * A client that pipelines commands and never reads the replies (RFC 2920 lets a client send
 * without waiting, not without reading): the front must stop reading it once the socket buffers
 * between it and the honest server are full, instead of buffering commands and replies without
 * bound, and must go on serving other sessions. The front's end of the connection is the socket
 * Node announces on its `net.server.socket` diagnostics channel.
 */
import dc from 'node:diagnostics_channel';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cmd, dial } from '../support/dialog.js';
import { startTestHop } from '../support/hop.js';

const MB = 1024 * 1024;
/** 30 MiB of `NOOP` CRLF: 5,242,880 commands. */
const FLOOD = Buffer.alloc(30 * MB, 'NOOP\r\n');
/** What the socket buffers on the way to the honest server hold (a few MB on loopback), with room to spare. */
const BOUND = 10 * MB;

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** How long a paused socket must have read nothing before it counts as stopped (the path's buffers are full). */
const QUIET_MS = 500;

/** A condition to poll: `socket` is paused and has read nothing for {@link QUIET_MS}. */
function stoppedReading(socket: net.Socket): () => boolean {
  let bytesRead = -1;
  let since = Date.now();
  return () => {
    if (!socket.isPaused() || socket.bytesRead !== bytesRead) {
      bytesRead = socket.bytesRead;
      since = Date.now();
    }
    return socket.isPaused() && Date.now() - since >= QUIET_MS;
  };
}

/** Polls `condition` until it holds or `ms` have passed; resolves whether it held. */
async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** The sockets Node accepts from now on (the fronts' ends of their connections among them). */
function acceptedSockets(): { sockets: net.Socket[]; stop: () => void } {
  const sockets: net.Socket[] = [];
  const onSocket = (message: unknown) => sockets.push((message as { socket: net.Socket }).socket);
  dc.subscribe('net.server.socket', onSocket);
  return { sockets, stop: () => dc.unsubscribe('net.server.socket', onSocket) };
}

/** Opens a raw connection, reads the greeting, and then never reads again. */
async function connectNeverReading(address: { host: string; port: number }): Promise<net.Socket> {
  const socket = net.connect(address.port, address.host);
  socket.on('error', () => {}); // destroyed by the test; a reset is no failure
  await once(socket, 'data');
  socket.pause();
  return socket;
}

/** A whole session on its own connection: greeting, EHLO and QUIT, each with its reply code. */
async function freshSession(address: { host: string; port: number }): Promise<void> {
  const client = await dial(address);
  await cmd(client, 'EHLO fresh.mailhop.test', 250);
  await cmd(client, 'QUIT', 221);
  client.destroy();
}

describe('a front before an honest server, with a client that pipelines and never reads', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('fake-454: 30 MB of NOOPs, the front stops reading after a few MB and serves fresh sessions', async () => {
    await using hop = await startTestHop({ starttls: 'fake-454' });
    const accepted = acceptedSockets();
    try {
      const flooder = await connectNeverReading(hop.server.address);
      const front = accepted.sockets.find((s) => s.localPort === hop.server.address.port && s.remotePort === flooder.localPort);
      if (!front) throw new Error('the front never accepted the flooding client');
      flooder.write(FLOOD);

      const stopped = stoppedReading(front);
      await eventually(() => stopped() || front.bytesRead > BOUND, 20_000);
      expect(front.bytesRead, `the front read ${mb(front.bytesRead)} of ${mb(FLOOD.length)}`).toBeLessThan(BOUND);
      expect(stopped(), `the front still reads the client after ${mb(front.bytesRead)}`).toBe(true);

      // The listener serves others while the flooder is stuck, and the flooder stays stuck.
      await freshSession(hop.server.address);
      expect(front.bytesRead, `the front read ${mb(front.bytesRead)} of ${mb(FLOOD.length)}`).toBeLessThan(BOUND);

      flooder.destroy();
      // The front lets go of the flooder's connection (a reset, with replies unread: not an error here).
      if (!front.closed) await new Promise((resolve) => front.once('close', resolve));
      await freshSession(hop.server.address);
      // One drain listener per congestion, never one per write.
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      accepted.stop();
    }
  }, 30_000);
});
