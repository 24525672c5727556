import { describe, expect, it } from 'vitest';
import { reset } from '../../../harness/link/faults/reset.js';
import { greetAndEhlo, rawPair } from './raw-peers.js';

describe('reset', () => {
  it('drops the connection when the client sends DATA: the server never sees it, both sides get RST', async () => {
    await using pair = await rawPair([reset({ after: 'DATA', how: 'reset' })]);
    const { client, server } = await pair.connect();
    await greetAndEhlo(client, server, ['8BITMIME']);
    await client.until('250 8BITMIME\r\n');
    client.write('MAIL FROM:<a@client.test>\r\n');
    await server.until('MAIL FROM:<a@client.test>\r\n');
    server.write('250 ok\r\n');
    await client.until('250 ok\r\n');

    client.write('DATA\r\n');

    expect((await client.closed).error?.code).toBe('ECONNRESET');
    expect((await server.closed).error?.code).toBe('ECONNRESET');
    expect(server.text).toBe('EHLO client.test\r\nMAIL FROM:<a@client.test>\r\n');
    const record = await pair.link.closed();
    expect(record).toMatchObject({ closedBy: 'proxy', plaintextData: false });
    expect(record.faults).toEqual([expect.objectContaining({ fault: 'reset', dir: 'C', action: 'drop+close:reset', detail: 'DATA', note: 'reset the connection on DATA' })]);
  });

  it('how: end closes with FIN instead', async () => {
    await using pair = await rawPair([reset({ after: 'EHLO', how: 'end' })]);
    const { client, server } = await pair.connect();
    server.write('220 mx.test ESMTP\r\n');
    await client.until('220 mx.test ESMTP\r\n');

    client.write('EHLO client.test\r\n');

    expect((await client.closed).error).toBeUndefined();
    expect((await server.closed).error).toBeUndefined();
    expect(server.text).toBe('');
  });
});
