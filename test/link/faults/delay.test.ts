import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { delay } from '../../../harness/link/faults/delay.js';
import { rawPair } from './raw-peers.js';

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

  it('is latency, not a rate limit: pipelined replies arrive late together, in order', async () => {
    await using pair = await rawPair([delay({ ms: 300 })]);
    const { client, server } = await pair.connect();
    server.write('220 mx.test ESMTP\r\n');
    await client.until('220 mx.test ESMTP\r\n');
    client.write('MAIL FROM:<a@org.test>\r\nRCPT TO:<b@partner.test>\r\nRCPT TO:<c@partner.test>\r\nRCPT TO:<d@partner.test>\r\nDATA\r\n');
    await server.until('DATA\r\n');

    const sent = performance.now();
    server.write('250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n354 go ahead\r\n');
    await client.until('354 go ahead\r\n');
    const late = performance.now() - sent;

    // Held one after another, five replies would take at least 1,500 ms.
    expect(late).toBeGreaterThanOrEqual(295);
    expect(late).toBeLessThan(1_200);
    expect(client.text).toBe('220 mx.test ESMTP\r\n250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n354 go ahead\r\n');
    client.socket.end();
    await pair.link.closed();
  });

  it('replies the server sends apart (one TCP write each) are each held from when they arrived, not one after the other', async () => {
    await using pair = await rawPair([delay({ ms: 300 })]);
    const { client, server } = await pair.connect();
    server.write('220 mx.test ESMTP\r\n');
    await client.until('220 mx.test ESMTP\r\n');
    client.write('MAIL FROM:<a@org.test>\r\nRCPT TO:<b@partner.test>\r\nRCPT TO:<c@partner.test>\r\nRCPT TO:<d@partner.test>\r\nDATA\r\n');
    await server.until('DATA\r\n');

    const sent = performance.now();
    const replies = ['250 2.1.0 OK', '250 2.1.5 OK', '250 2.1.5 OK', '250 2.1.5 OK', '354 go ahead'];
    for (const reply of replies) {
      server.write(`${reply}\r\n`);
      // Each reply in its own segment, as a server answering pipelined commands one by one does.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await client.until('354 go ahead\r\n');
    const late = performance.now() - sent;
    // Held one after another they would take at least 1,500 ms.
    expect(late).toBeGreaterThanOrEqual(295);
    expect(late).toBeLessThan(1_200);
    expect(client.text).toBe(`220 mx.test ESMTP\r\n${replies.map((r) => `${r}\r\n`).join('')}`);
    client.socket.end();
    await pair.link.closed();
  });
});
