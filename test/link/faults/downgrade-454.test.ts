import { describe, expect, it } from 'vitest';
import { downgrade454 } from '../../../harness/link/faults/downgrade-454.js';
import { Downgrade454Spec } from '../../../harness/link/faults/downgrade-454.js';
import { ehloOfferingStarttls, rawPair } from './raw-peers.js';

const DEFAULT_REPLY = Downgrade454Spec.parse({ from: 'client', to: 'mx', fault: 'downgrade-454' }).reply;

// docs/behaviour.md#A-454: the link answers STARTTLS itself; the server gets NOOP and stays in plaintext.
describe('downgrade-454', () => {
  it('answers STARTTLS with 454, sends NOOP to the server and swallows its 250', async () => {
    await using pair = await rawPair([downgrade454({ reply: DEFAULT_REPLY })]);
    const { client, server } = await pair.connect();
    await ehloOfferingStarttls(client, server);

    client.write('STARTTLS\r\n');
    await server.until('NOOP\r\n');
    // The 454 takes the place of the server's reply to the NOOP: nothing reaches the client before it.
    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n');
    server.write('250 2.0.0 OK\r\n');
    await client.until('454 4.7.0 TLS not available due to temporary reason\r\n');
    // The session goes on in plaintext: the next command and its reply cross unchanged.
    client.write('MAIL FROM:<a@client.test>\r\n');
    await server.until('MAIL FROM:<a@client.test>\r\n');
    server.write('250 2.1.0 Ok\r\n');
    await client.until('250 2.1.0 Ok\r\n');

    expect(server.text).toBe('EHLO client.test\r\nNOOP\r\nMAIL FROM:<a@client.test>\r\n');
    expect(client.text).toBe(
      '220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n454 4.7.0 TLS not available due to temporary reason\r\n250 2.1.0 Ok\r\n',
    );
    client.socket.end();
    const record = await pair.link.closed();
    expect(record).toMatchObject({ starttlsSent: true, starttlsReply: { code: 454 }, handshake: 'none' });
    expect(record.faults.map((f) => [f.dir, f.action, f.effect])).toEqual([['C', 'replace', 'tls-denied'], ['S', 'replace', 'tls-denied']]);
  });

  it("passes the client's own NOOP and its reply through", async () => {
    await using pair = await rawPair([downgrade454({ reply: DEFAULT_REPLY })]);
    const { client, server } = await pair.connect();
    await ehloOfferingStarttls(client, server);

    client.write('NOOP\r\n');
    await server.until('NOOP\r\n');
    server.write('250 2.0.0 client noop\r\n');
    await client.until('250 2.0.0 client noop\r\n');
    client.write('STARTTLS\r\n');
    await server.until('NOOP\r\nNOOP\r\n');
    server.write('250 2.0.0 fault noop\r\n');
    client.write('NOOP\r\n');
    await server.until('NOOP\r\nNOOP\r\nNOOP\r\n');
    server.write('250 2.0.0 client noop again\r\n');
    await client.until('250 2.0.0 client noop again\r\n');

    expect(client.text).not.toContain('fault noop');
    expect(client.text.endsWith('250 2.0.0 client noop\r\n454 4.7.0 TLS not available due to temporary reason\r\n250 2.0.0 client noop again\r\n')).toBe(true);
  });

  it('keeps RFC 2920 order: a STARTTLS pipelined after RSET gets its 454 after the reply to RSET', async () => {
    await using pair = await rawPair([downgrade454({ reply: DEFAULT_REPLY })]);
    const { client, server } = await pair.connect();
    await ehloOfferingStarttls(client, server);

    client.write('RSET\r\nSTARTTLS\r\n');
    await server.until('RSET\r\nNOOP\r\n');
    server.write('250 2.0.0 reset\r\n250 2.0.0 OK\r\n');
    await client.until('454 4.7.0 TLS not available due to temporary reason\r\n');
    expect(client.text.endsWith('250 STARTTLS\r\n250 2.0.0 reset\r\n454 4.7.0 TLS not available due to temporary reason\r\n')).toBe(true);
  });

  it('takes another 4xx reply line as option', () => {
    expect(Downgrade454Spec.safeParse({ from: 'client', to: 'mx', fault: 'downgrade-454', reply: '454 4.3.3 TLS not available right now' }).success).toBe(true);
    expect(Downgrade454Spec.safeParse({ from: 'client', to: 'mx', fault: 'downgrade-454', reply: '220 go ahead' }).success).toBe(false);
  });
});
