import { describe, expect, it } from 'vitest';
import { injectResponse } from '../../../harness/link/faults/inject-response.js';
import { ehloOfferingStarttls, rawPair } from './raw-peers.js';

// docs/behaviour.md#A-inject-response: extra reply lines ride in the 220 segment, for a client to mistake for the post-TLS EHLO reply.
describe('inject-response', () => {
  it("appends the lines to the server's 220 in one segment; the wire notes them as bytes before the ClientHello", async () => {
    await using pair = await rawPair([injectResponse({ lines: ['250-evil.mailhop.test', '250 AUTH PLAIN'] })]);
    const { client, server } = await pair.connect();
    await ehloOfferingStarttls(client, server);

    client.write('STARTTLS\r\n');
    await server.until('STARTTLS\r\n');
    server.write('220 2.0.0 Ready to start TLS\r\n');
    await client.until('250 AUTH PLAIN\r\n');

    expect(client.chunks.at(-1)?.toString('latin1')).toBe('220 2.0.0 Ready to start TLS\r\n250-evil.mailhop.test\r\n250 AUTH PLAIN\r\n');
    expect(server.text).toBe('EHLO client.test\r\nSTARTTLS\r\n');
    client.socket.end();
    const record = await pair.link.closed();
    expect(record.transcript).toContainEqual({ dir: 'S', text: '[server sent bytes before the ClientHello: 250-evil.mailhop.test..250 AUTH PLAIN..]' });
    expect(record.faults).toEqual([expect.objectContaining({ fault: 'inject-response', dir: 'S', action: 'replace', effect: 'tls-denied' })]);
  });

  it('leaves a 220 that answers anything but STARTTLS alone', async () => {
    await using pair = await rawPair([injectResponse({ lines: ['250 evil'] })]);
    const { client, server } = await pair.connect();
    server.write('220 mx.test ESMTP\r\n');
    await client.until('220 mx.test ESMTP\r\n');
    client.socket.end();

    expect(client.text).toBe('220 mx.test ESMTP\r\n');
    expect((await pair.link.closed()).faults).toEqual([]);
  });
});
