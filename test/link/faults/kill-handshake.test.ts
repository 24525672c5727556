import { beforeAll, describe, expect, it } from 'vitest';
import { killHandshake, KillHandshakeSpec } from '../../../harness/link/faults/kill-handshake.js';
import { clientHello, ehloOfferingStarttls, greetAndEhlo, rawPair, testEnv, upToStarttls220 } from './raw-peers.js';

const spec = (options: object) => KillHandshakeSpec.parse({ from: 'client', to: 'mx', fault: 'kill-handshake', ...options });
const HELLO_DONE = '220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n';

let hello: Buffer;
beforeAll(async () => {
  hello = await clientHello();
});

// docs/behaviour.md#A-kill-handshake: STARTTLS and its 220 pass, the ClientHello meets a closed door.
describe('kill-handshake', () => {
  it('close: the ClientHello never reaches the server; both sides get FIN', async () => {
    await using pair = await rawPair([killHandshake(spec({}), testEnv())]);
    const { client, server } = await pair.connect();
    await upToStarttls220(client, server);

    client.write(hello);
    expect(await client.closed).toEqual({ error: undefined });
    await server.closed;

    expect(server.text).toBe('EHLO client.test\r\nSTARTTLS\r\n');
    expect(client.text).toBe(HELLO_DONE);
    const record = await pair.link.closed();
    expect(record).toMatchObject({ handshake: 'failed', closedBy: 'proxy' });
    expect(record.faults).toEqual([
      expect.objectContaining({ fault: 'kill-handshake', dir: 'C', action: 'drop+close:end', effect: 'tls-denied', note: 'closed the connection on the ClientHello' }),
    ]);
  });

  it('reset: both sides get RST', async () => {
    await using pair = await rawPair([killHandshake(spec({ how: 'reset' }), testEnv())]);
    const { client, server } = await pair.connect();
    await upToStarttls220(client, server);

    client.write(hello);

    expect((await client.closed).error?.code).toBe('ECONNRESET');
    expect((await server.closed).error?.code).toBe('ECONNRESET');
    expect(server.text).toBe('EHLO client.test\r\nSTARTTLS\r\n');
  });

  it('alert: the client gets exactly a fatal handshake_failure alert record, then FIN', async () => {
    await using pair = await rawPair([killHandshake(spec({ how: 'alert' }), testEnv())]);
    const { client, server } = await pair.connect();
    await upToStarttls220(client, server);

    client.write(hello);
    await client.closed;

    expect(client.bytes.subarray(HELLO_DONE.length)).toEqual(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]));
    expect(server.text).toBe('EHLO client.test\r\nSTARTTLS\r\n');
    expect(await pair.link.closed()).toMatchObject({ handshake: 'failed', handshakeFailure: 'alert handshake_failure' });
  });

  it('garbage: the client gets a plaintext line where the ServerHello should be', async () => {
    await using pair = await rawPair([killHandshake(spec({ how: 'garbage' }), testEnv())]);
    const { client, server } = await pair.connect();
    await upToStarttls220(client, server);

    client.write(hello);
    await client.closed;

    expect(client.text).toBe(`${HELLO_DONE}421 4.7.0 this is not TLS\r\n`);
    expect(await pair.link.closed()).toMatchObject({ handshake: 'failed', handshakeFailure: 'non-TLS bytes from server' });
  });

  it('thenStrip: the next connection carrying the same message has STARTTLS stripped, and its handshake is left alone', async () => {
    const env = testEnv();
    await using pair = await rawPair([killHandshake(spec({ thenStrip: true }), env)]);

    const first = await pair.connect();
    env.deliveries.set(first.client.socket.localPort!, { messageId: 'm1', attempt: 1, connection: 1 });
    await upToStarttls220(first.client, first.server);
    first.client.write(hello);
    await first.client.closed;

    const retry = await pair.connect();
    env.deliveries.set(retry.client.socket.localPort!, { messageId: 'm1', attempt: 1, connection: 2 });
    await greetAndEhlo(retry.client, retry.server, ['STARTTLS']);
    await retry.client.until('250 mx.test\r\n');

    const other = await pair.connect();
    env.deliveries.set(other.client.socket.localPort!, { messageId: 'm2', attempt: 1, connection: 1 });
    await ehloOfferingStarttls(other.client, other.server);

    expect(retry.client.text).toBe('220 mx.test ESMTP\r\n250 mx.test\r\n');
    expect(other.client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n');
    retry.client.socket.end();
    const record = await pair.link.closed(2);
    expect(record.faults).toEqual([expect.objectContaining({ fault: 'kill-handshake', dir: 'S', effect: 'tls-denied', note: 'removed "250 STARTTLS" from the EHLO reply' })]);
  });
});
