import { describe, expect, it } from 'vitest';
import { tamper220, Tamper220Spec } from '../../../harness/link/faults/tamper-220.js';
import { ehloOfferingStarttls, rawPair } from './raw-peers.js';

const spec = (options: object) => Tamper220Spec.parse({ from: 'client', to: 'mx', fault: 'tamper-220', ...options });

// docs/behaviour.md#A-tamper-220: the client's STARTTLS gets a 5xx or garbage instead of 220.
describe('tamper-220', () => {
  it('by default the server never sees STARTTLS: it gets NOOP, the client gets the 502', async () => {
    await using pair = await rawPair([tamper220(spec({}))]);
    const { client, server } = await pair.connect();
    await ehloOfferingStarttls(client, server);

    client.write('STARTTLS\r\n');
    await server.until('NOOP\r\n');
    server.write('250 2.0.0 OK\r\n');
    await client.until('502 5.5.1 Error: command not implemented\r\n');
    client.write('QUIT\r\n');
    await server.until('QUIT\r\n');
    server.write('221 bye\r\n');
    await client.until('221 bye\r\n');

    expect(server.text).toBe('EHLO client.test\r\nNOOP\r\nQUIT\r\n');
    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n502 5.5.1 Error: command not implemented\r\n221 bye\r\n');
  });

  it('naive: STARTTLS reaches the server and its 220 is replaced with garbage on the way back', async () => {
    await using pair = await rawPair([tamper220(spec({ naive: true, reply: 'ready when you are' }))]);
    const { client, server } = await pair.connect();
    await ehloOfferingStarttls(client, server);

    client.write('STARTTLS\r\n');
    await server.until('STARTTLS\r\n');
    server.write('220 2.0.0 Ready to start TLS\r\n');
    await client.until('ready when you are\r\n');

    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\nready when you are\r\n');
    client.socket.end();
    const record = await pair.link.closed();
    expect(record.faults).toEqual([
      expect.objectContaining({ dir: 'S', action: 'replace', effect: 'tls-denied', note: 'replaced the server\'s "220 2.0.0 Ready to start TLS" with "ready when you are"' }),
    ]);
  });

  it('refuses a reply with CR or LF in it', () => {
    expect(Tamper220Spec.safeParse({ from: 'client', to: 'mx', fault: 'tamper-220', reply: '502 no\r\n250 smuggled' }).success).toBe(false);
  });
});
