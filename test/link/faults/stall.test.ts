import { beforeAll, describe, expect, it } from 'vitest';
import { stall } from '../../../harness/link/faults/stall.js';
import { clientHello, rawPair, upToStarttls220 } from './raw-peers.js';

let hello: Buffer;
beforeAll(async () => {
  hello = await clientHello();
});

// docs/behaviour.md#A-stall: a 220, then silence; only the client's own timeout ends it.
describe('stall', () => {
  it('after the 220 to STARTTLS, no TLS byte crosses either way; the connection stays open until a side leaves', async () => {
    await using pair = await rawPair([stall({ after: 'starttls' })]);
    const { client, server } = await pair.connect();
    await upToStarttls220(client, server);

    client.write(hello);
    server.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x01, 0x02]));
    // The server gives up; its FIN is passed on only after its bytes were dealt with.
    server.socket.end();
    await client.closed;
    await server.closed;

    expect(server.text).toBe('EHLO client.test\r\nSTARTTLS\r\n');
    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n');
    const record = await pair.link.closed();
    expect(record).toMatchObject({ handshake: 'failed', closedBy: 'server' });
    // Recorded once, however many chunks it swallowed.
    expect(record.faults).toEqual([
      expect.objectContaining({ fault: 'stall', dir: 'C', action: 'drop', effect: 'tls-denied', note: 'swallowed the TLS handshake (from the ClientHello on)' }),
    ]);
  });

  it('after the greeting, every command is swallowed', async () => {
    await using pair = await rawPair([stall({ after: 'greeting' })]);
    const { client, server } = await pair.connect();
    server.write('220 mx.test ESMTP\r\n');
    await client.until('220 mx.test ESMTP\r\n');

    client.write('EHLO client.test\r\nNOOP\r\n');
    client.socket.end();
    await server.closed;

    expect(server.text).toBe('');
    const record = await pair.link.closed();
    expect(record.faults).toEqual([expect.objectContaining({ fault: 'stall', dir: 'C', action: 'drop', detail: 'EHLO client.test' })]);
  });
});
