/**
 * A hop that dies mid-transaction. The receiving hop's server-side socket is destroyed by the test
 * (every accepted socket is announced on Node's `net.server.socket` diagnostics channel):
 *
 * - after the DATA content reached it, before it read the end-of-data dot or replied: it never took
 *   responsibility (RFC 5321 §6.1), so the sender must defer, retry, and the message arrive once;
 * - after it stored the message, before its 250 left: the sender cannot know (RFC 1047), retries,
 *   and the mailbox gets the message twice. mailhop's accounting must say so, not pass quietly.
 *
 * The link is plaintext (`tls: none`) so the test can see the dot on the server's own socket.
 */
import dc from 'node:diagnostics_channel';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { SessionEvent } from '../../harness/trace/events.js';

const SCENARIO = Scenario.parse({
  name: 'hop-killed-mid-transaction',
  hops: [{ id: 'relay', outbound: { tls: 'none', retry: ['10m'] } }, { id: 'mx' }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], subject: 'killed', body: 'line 1\r\nline 2\r\n' }],
});

type Kill = (socket: net.Socket) => void;
let unsubscribe: (() => void) | undefined;
afterEach(() => unsubscribe?.());

/** Calls `kill` with the first socket accepted on `port` (the hop's server), once. */
function killFirstSessionOn(port: () => number, kill: Kill): { killed: () => boolean } {
  let killed = false;
  const onSocket = (message: unknown) => {
    const { socket } = message as { socket: net.Socket };
    if (killed || socket.localPort !== port()) return;
    killed = true;
    kill(socket);
  };
  dc.subscribe('net.server.socket', onSocket);
  unsubscribe = () => dc.unsubscribe('net.server.socket', onSocket);
  return { killed: () => killed };
}

/** The hop dies once the end-of-data dot arrives: the chunk carrying it is never read. */
const dieAtTheDot: Kill = (socket) => {
  let seen = '';
  const push = socket.push.bind(socket);
  socket.push = (chunk: Buffer | null, encoding?: BufferEncoding) => {
    if (chunk === null || socket.destroyed) return push(chunk, encoding);
    seen += chunk.toString('latin1');
    const data = seen.indexOf('\r\nDATA\r\n');
    if (data >= 0 && seen.indexOf('\r\n.\r\n', data + 6) >= 0) {
      socket.destroy();
      return false;
    }
    return push(chunk, encoding);
  };
};

/** The hop stores the message, then dies before its 250 reply leaves. */
const dieBeforeThe250: Kill = (socket) => {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (/^250 .*queued as/m.test(String(chunk))) {
      socket.destroy();
      return false;
    }
    return write(chunk, ...rest);
  }) as typeof socket.write;
};

describe('a hop killed mid-transaction', () => {
  it('after the DATA content, before the final reply: the sender defers, retries, and the message is delivered exactly once', async () => {
    await using chain = await startChain(SCENARIO);
    const mx = chain.hops[1];
    const kill = killFirstSessionOn(() => mx.server.port, dieAtTheDot);

    const report = await chain.run();

    expect(kill.killed()).toBe(true);
    const sessions = chain.events().filter((e): e is SessionEvent => e.kind === 'session' && e.link === 'relay->mx');
    expect(sessions.map((s) => [s.attempt, s.result, s.contentSent, s.reply.code, s.reply.enhanced])).toEqual([
      [1, 'deferred', { encrypted: false }, 451, '4.4.1'],
      [2, 'relayed', { encrypted: false }, 250, '2.6.0'],
    ]);
    expect(sessions[0].reply.text).toMatch(/waiting for the reply to DATA content/);
    const deferred = chain.events().find((e) => e.kind === 'deferred' && e.hop === 'relay');
    expect(deferred).toMatchObject({ attempt: 1, nextAttemptAt: 600_000 });
    // The dead hop never took the message: one acceptance, one mailbox copy, clean accounting.
    expect(chain.events().filter((e) => e.kind === 'accepted' && e.hop === 'mx').length).toBe(1);
    expect(chain.mailbox().map((m) => m.id)).toEqual(['m1']);
    expect(report.outcome).toBe('delivered');
    expect(report.failures).toEqual([]);
  });

  it('after storing the message, before its 250 left: the retry duplicates it (RFC 1047), and the accounting fails the run', async () => {
    await using chain = await startChain(SCENARIO);
    const mx = chain.hops[1];
    const kill = killFirstSessionOn(() => mx.server.port, dieBeforeThe250);

    const report = await chain.run();

    expect(kill.killed()).toBe(true);
    expect(chain.mailbox().map((m) => m.id)).toEqual(['m1', 'm1']);
    expect(report.passed).toBe(false);
    expect(report.failures).toEqual(expect.arrayContaining(['accounting: m1 was accepted 2 times by mx (duplicate)', 'accounting: m1 was delivered 2 times to mx']));
  });
});
