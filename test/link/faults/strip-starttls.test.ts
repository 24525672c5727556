import { describe, expect, it } from 'vitest';
import { stripStarttls } from '../../../harness/link/faults/strip-starttls.js';
import { dialog } from '../../support/dialog.js';
import { greetAndEhlo, rawPair } from './raw-peers.js';

// docs/behaviour.md#A-strip: the STARTTLS line disappears and the multiline reply stays valid (RFC 5321 §4.2).
describe('strip-starttls', () => {
  it('removes a last "250 STARTTLS" line and turns the line before it into the final "250 " line', async () => {
    await using pair = await rawPair([stripStarttls()]);
    const { client, server } = await pair.connect();

    await greetAndEhlo(client, server, ['PIPELINING', 'STARTTLS']);
    await client.until('250 PIPELINING\r\n');
    client.socket.end();

    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 PIPELINING\r\n');
    const record = await pair.link.closed();
    expect(record, dialog(record)).toMatchObject({ starttlsAdvertised: false, ehlo: ['PIPELINING'] });
    expect(record.faults).toEqual([
      expect.objectContaining({ fault: 'strip-starttls', dir: 'S', action: 'replace', effect: 'tls-denied', note: 'removed "250 STARTTLS" from the EHLO reply' }),
    ]);
  });

  it('removes a "250-STARTTLS" line in the middle and leaves every other byte as it was', async () => {
    await using pair = await rawPair([stripStarttls()]);
    const { client, server } = await pair.connect();

    await greetAndEhlo(client, server, ['PIPELINING', 'STARTTLS', 'SIZE 10240000']);
    await client.until('250 SIZE 10240000\r\n');

    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n');
  });

  it('leaves an EHLO reply without STARTTLS, and every other reply, untouched', async () => {
    await using pair = await rawPair([stripStarttls()]);
    const { client, server } = await pair.connect();

    await greetAndEhlo(client, server, ['8BITMIME']);
    await client.until('250 8BITMIME\r\n');
    client.write('HELP\r\n');
    await server.until('HELP\r\n');
    server.write('214-STARTTLS\r\n214 end\r\n');
    await client.until('214 end\r\n');
    client.socket.end();

    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 8BITMIME\r\n214-STARTTLS\r\n214 end\r\n');
    expect((await pair.link.closed()).faults).toEqual([]);
  });
});
