import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { delay } from '../../../harness/link/faults/delay.js';
import { rawPair, type RawPeer } from './raw-peers.js';

describe('delay', () => {
  it('holds each reply the given real time and changes no byte', async () => {
    await using pair = await rawPair([delay({ ms: 60 })]);
    const { client, server } = await pair.connect();

    const sent = performance.now();
    server.write('220 mx.test ESMTP\r\n');
    await client.until('220 mx.test ESMTP\r\n');
    const greeting = performance.now() - sent;
    client.write('EHLO client.test\r\n');
    await server.until('EHLO client.test\r\n');
    const replied = performance.now();
    server.write('250 mx.test\r\n');
    await client.until('250 mx.test\r\n');
    const reply = performance.now() - replied;

    expect(greeting).toBeGreaterThanOrEqual(55); // timers may fire a millisecond early
    expect(reply).toBeGreaterThanOrEqual(55);
    expect(client.text).toBe('220 mx.test ESMTP\r\n250 mx.test\r\n');
    expect(server.text).toBe('EHLO client.test\r\n');
    client.socket.end();
    expect((await pair.link.closed()).faults).toEqual([
      expect.objectContaining({ fault: 'delay', dir: 'S', action: 'delay', note: 'held every reply from the server 60 ms' }),
    ]);
  });

  const REPLIES = ['250 2.1.0 OK', '250 2.1.5 OK', '250 2.1.5 OK', '250 2.1.5 OK', '354 go ahead'];

  /**
   * Through a 300 ms delay: greeting, then MAIL, 3 RCPT and DATA pipelined; the server answers
   * with `answer`. Resolves with the real ms from the first reply written to the last one read.
   */
  async function pipelinedThroughDelay(answer: (server: RawPeer) => Promise<void>): Promise<number> {
    await using pair = await rawPair([delay({ ms: 300 })]);
    const { client, server } = await pair.connect();
    server.write('220 mx.test ESMTP\r\n');
    await client.until('220 mx.test ESMTP\r\n');
    client.write('MAIL FROM:<a@org.test>\r\nRCPT TO:<b@partner.test>\r\nRCPT TO:<c@partner.test>\r\nRCPT TO:<d@partner.test>\r\nDATA\r\n');
    await server.until('DATA\r\n');
    const sent = performance.now();
    await answer(server);
    await client.until('354 go ahead\r\n');
    const late = performance.now() - sent;
    expect(client.text).toBe(`220 mx.test ESMTP\r\n${REPLIES.map((r) => `${r}\r\n`).join('')}`);
    client.socket.end();
    await pair.link.closed();
    return late;
  }

  it('is latency, not a rate limit: pipelined replies arrive late together, in order', async () => {
    const late = await pipelinedThroughDelay(async (server) => void server.write(REPLIES.map((r) => `${r}\r\n`).join('')));
    // Never early (the upper bound is the schedule test below: real time on a loaded machine proves nothing).
    expect(late).toBeGreaterThanOrEqual(295);
  });

  it('replies the server sends apart (one TCP write each) are each held from when they arrived, not one after the other', async () => {
    const late = await pipelinedThroughDelay(async (server) => {
      for (const reply of REPLIES) {
        server.write(`${reply}\r\n`);
        // Each reply in its own segment, as a server answering pipelined commands one by one does.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    });
    expect(late).toBeGreaterThanOrEqual(295);
  });

  /** The waits the fault asks for on a virtual clock, for replies that arrived at the given times. */
  async function waitsFor(arrivals: number[], ms: number): Promise<number[]> {
    let now = 1_000;
    const waits: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (wait: number) => {
        waits.push(wait);
        now += wait;
      },
    };
    const hooks = delay({ ms }, clock).open({ io: { record: () => {} } } as never);
    for (const receivedAt of arrivals) {
      now = Math.max(now, receivedAt); // the reply cannot be read before it arrived
      await hooks.reply?.([], 'RCPT TO:<b@partner.test>', { receivedAt } as never);
    }
    return waits;
  }

  it('schedules each reply from its own arrival: five pipelined replies wait 300 ms in all, not 1,500', async () => {
    // One chunk: all five arrived at 1,000; the first waits the whole 300 ms, the rest are due by then.
    expect(await waitsFor([1_000, 1_000, 1_000, 1_000, 1_000], 300)).toEqual([300]);
    // Five segments 1 ms apart: the first waits 300 ms, each next one only what is left of its own 300 ms.
    expect(await waitsFor([1_000, 1_001, 1_002, 1_003, 1_004], 300)).toEqual([300, 1, 1, 1, 1]);
    // A reply that arrives after the previous one was released waits its whole delay.
    expect(await waitsFor([1_000, 2_000], 300)).toEqual([300, 300]);
  });
});
