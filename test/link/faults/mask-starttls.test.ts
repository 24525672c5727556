import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskStarttls } from '../../../harness/link/faults/mask-starttls.js';
import { LOOPBACK, makeCert, startLink, startSmtpServer } from '../../support/link.js';
import { greetAndEhlo, rawPair, RawPeer } from './raw-peers.js';

let pki: { key: string; cert: string };
beforeAll(async () => {
  pki = await makeCert();
});

// docs/behaviour.md#A-mask (Cisco ESMTP inspection): same-length masking, in the reply and in the command.
describe('mask-starttls', () => {
  it('writes XXXXXXXA over STARTTLS in the EHLO reply, keeping its length and shape', async () => {
    await using pair = await rawPair([maskStarttls()]);
    const { client, server } = await pair.connect();

    await greetAndEhlo(client, server, ['STARTTLS', 'PIPELINING']);
    await client.until('250 PIPELINING\r\n');

    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250-XXXXXXXA\r\n250 PIPELINING\r\n');
    client.socket.end();
    const record = await pair.link.closed();
    expect(record).toMatchObject({ starttlsAdvertised: false, ehlo: ['XXXXXXXA', 'PIPELINING'] });
    expect(record.faults[0]).toMatchObject({ fault: 'mask-starttls', dir: 'S', effect: 'tls-denied', note: 'masked "250-STARTTLS" as "250-XXXXXXXA" in the EHLO reply' });
  });

  it('masks a client STARTTLS sent anyway: the server gets XXXXXXXA', async () => {
    await using pair = await rawPair([maskStarttls()]);
    const { client, server } = await pair.connect();

    await greetAndEhlo(client, server, ['STARTTLS']);
    await client.until('250 XXXXXXXA\r\n');
    client.write('STARTTLS\r\n');
    await server.until('XXXXXXXA\r\n');

    expect(server.text).toBe('EHLO client.test\r\nXXXXXXXA\r\n');
  });

  it('an honest smtp-server answers the masked verb with 500 and stays in plaintext', async () => {
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port, [maskStarttls()]);
    const socket = net.connect({ host: LOOPBACK, port: link.port });
    const client = new RawPeer(socket);
    await client.untilMatch(/^220 /m);
    client.write('EHLO client.test\r\n');
    await client.untilMatch(/^250 /m);
    client.write('STARTTLS\r\n');
    await client.untilMatch(/^500 /m);
    client.write('QUIT\r\n');
    await client.closed;

    expect(client.text).toMatch(/\r\n250 XXXXXXXA\r\n500 /); // smtp-server lists STARTTLS last
    expect(client.text).toMatch(/\r\n500 Error: command not recognized\r\n221 /);
    const record = await link.closed();
    expect(record).toMatchObject({ starttlsSent: true, starttlsReply: { code: 500 }, handshake: 'none' });
  });
});
