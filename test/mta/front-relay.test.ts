import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { breakHandshakeFront, READY_TO_START_TLS } from '../../harness/mta/fronts/break-handshake.js';
import { startFront, type FrontBehaviour } from '../../harness/mta/fronts/front-runner.js';
import { starttlsReplyFront, TLS_TEMPORARILY_UNAVAILABLE } from '../../harness/mta/fronts/starttls-reply.js';
import { HANDSHAKE_FAILURE_ALERT } from '../../harness/link/tls-names.js';
import { RawPeer } from '../link/faults/raw-peers.js';
import { LOOPBACK, startRawServer } from '../support/link.js';

/**
 * A front between a raw client and a raw stand-in for the hop's honest server, so a test can say
 * byte for byte what each end got. Resolves with both ends of one connection, greeted.
 */
async function throughFront(behaviour: FrontBehaviour, ehloKeywords: string[] = ['PIPELINING']) {
  let accept: (peer: RawPeer) => void = () => {};
  const accepted = new Promise<RawPeer>((resolve) => (accept = resolve));
  const inner = await startRawServer((socket) => accept(new RawPeer(socket)));
  const front = await startFront({ behaviour, inner: { host: LOOPBACK, port: inner.port }, host: LOOPBACK });
  const socket = net.connect(front.address.port, front.address.host);
  const client = new RawPeer(socket);
  const server = await accepted;
  server.write('220 mx.test ESMTP\r\n');
  await client.until('220 mx.test ESMTP\r\n');
  client.write('EHLO client.test\r\n');
  await server.until('EHLO client.test\r\n');
  server.write(['mx.test', ...ehloKeywords].map((k, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${k}\r\n`).join(''));
  await client.until(`250 ${ehloKeywords.at(-1)}\r\n`);
  return {
    client,
    server,
    async [Symbol.asyncDispose]() {
      socket.destroy();
      await front.stop();
      await inner[Symbol.asyncDispose]();
    },
  };
}

const fake454 = () => starttlsReplyFront('fake-454', TLS_TEMPORARILY_UNAVAILABLE);

/** Waits until the server got `bytes` or the client got the front's refusal, whichever happens: the assertions say which. */
function serverGetsOrFrontRefuses(server: RawPeer, client: RawPeer, bytes: string): Promise<unknown> {
  const quiet = (waiting: Promise<void>) => waiting.catch(() => {}); // the other one is left waiting: never a stray rejection
  return Promise.race([quiet(server.until(bytes)), quiet(client.untilMatch((text) => text.includes(TLS_TEMPORARILY_UNAVAILABLE)))]);
}

describe('a front follows the dialogue as its honest server does', () => {
  it('answers a STARTTLS pipelined after other commands only once the server answered them, then relays what follows (RFC 2920)', async () => {
    await using ends = await throughFront(fake454());
    const { client, server } = ends;
    const before = client.text;
    client.write('NOOP\r\nRSET\r\nSTARTTLS\r\nMAIL FROM:<a@client.test>\r\n');
    await server.until('NOOP\r\nRSET\r\n');
    server.write('250 2.0.0 Ok\r\n');
    await client.until('250 2.0.0 Ok\r\n');
    server.write('250 2.0.0 Reset\r\n');
    await server.until('MAIL FROM:<a@client.test>\r\n');
    server.write('250 2.1.0 Ok\r\n');
    await client.until('250 2.1.0 Ok\r\n');

    expect(client.text.slice(before.length)).toBe(`250 2.0.0 Ok\r\n250 2.0.0 Reset\r\n${TLS_TEMPORARILY_UNAVAILABLE}\r\n250 2.1.0 Ok\r\n`);
    expect(server.text).toBe('EHLO client.test\r\nNOOP\r\nRSET\r\nMAIL FROM:<a@client.test>\r\n');
  });

  it('hands bytes pipelined after STARTTLS to the behaviour: the honest server never gets them (RFC 3207 §4.2)', async () => {
    await using ends = await throughFront(breakHandshakeFront('alert'));
    const { client, server } = ends;
    client.write('STARTTLS\r\nMAIL FROM:<a@client.test>\r\n');
    await client.closed;
    expect(client.bytes.subarray(-HANDSHAKE_FAILURE_ALERT.length)).toEqual(HANDSHAKE_FAILURE_ALERT);
    expect(client.text).toContain(`${READY_TO_START_TLS}\r\n`);
    await server.closed;
    expect(server.text).toBe('EHLO client.test\r\n');
  });

  it('relays a SASL response after a 334 as one, even one that reads STARTTLS (RFC 4954 §4; it is valid base64)', async () => {
    await using ends = await throughFront(fake454(), ['AUTH PLAIN']);
    const { client, server } = ends;
    client.write('AUTH PLAIN\r\n');
    await server.until('AUTH PLAIN\r\n');
    server.write('334 \r\n');
    await client.until('334 \r\n');
    client.write('STARTTLS\r\n');
    await serverGetsOrFrontRefuses(server, client, 'STARTTLS\r\n');
    expect(client.text).not.toContain(TLS_TEMPORARILY_UNAVAILABLE);
    expect(server.text).toBe('EHLO client.test\r\nAUTH PLAIN\r\nSTARTTLS\r\n');
  });

  it('reads what follows BDAT as commands when the server never advertised CHUNKING, as the server reads it', async () => {
    await using ends = await throughFront(fake454());
    const { client, server } = ends;
    client.write('BDAT 10 LAST\r\nSTARTTLS\r\n'); // "STARTTLS\r\n" is 10 bytes: a chunk, had CHUNKING been offered
    await server.until('BDAT 10 LAST\r\n');
    server.write('500 5.5.1 Error: command not recognized\r\n');
    await client.until(`${TLS_TEMPORARILY_UNAVAILABLE}\r\n`);
    expect(server.text).toBe('EHLO client.test\r\nBDAT 10 LAST\r\n');
  });

  it('relays a BDAT chunk as content when the server advertised CHUNKING (RFC 3030 §2), a STARTTLS inside it included', async () => {
    await using ends = await throughFront(fake454(), ['CHUNKING']);
    const { client, server } = ends;
    client.write('BDAT 10 LAST\r\nSTARTTLS\r\n');
    await server.untilMatch((text) => text.includes('BDAT 10 LAST\r\n'));
    server.write('250 2.0.0 Ok: queued\r\n');
    await serverGetsOrFrontRefuses(server, client, 'BDAT 10 LAST\r\nSTARTTLS\r\n');
    expect(client.text).not.toContain(TLS_TEMPORARILY_UNAVAILABLE);
    expect(server.text).toBe('EHLO client.test\r\nBDAT 10 LAST\r\nSTARTTLS\r\n');
  });
});
