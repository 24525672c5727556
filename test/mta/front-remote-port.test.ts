import { describe, it, expect } from 'vitest';
import type { AcceptedEvent, StarttlsInjectionEvent } from '../../harness/trace/events.js';
import { cmd, dial, dialog } from '../support/dialog.js';
import { startTestHop } from '../support/hop.js';

const MESSAGE = 'From: alice@org.test\r\nTo: bob@partner.test\r\nSubject: port\r\nX-Mailhop-Id: m1\r\n\r\nHello.\r\n';

// A hop's `accepted` event names the port its peer connected from, which is the link proxy's own port towards the
// hop (WireRecord.upstreamPort): that is how a connection whose content crossed inside TLS is tied to the message the
// hop accepted on it. Behind a front, the honest server's peer is the front, so the event named the front's own port.
describe('the port an accepted message came from, on a hop behind a front', () => {
  it.each([
    ['offer (no front)', { starttls: 'offer' }, false],
    ['none', { starttls: 'none' }, false],
    ['fake-454', { starttls: 'fake-454' }, false],
    ['break-handshake', { starttls: 'break-handshake', how: 'alert' }, false],
    ['vulnerable-injection, in plaintext', { starttls: 'vulnerable-injection' }, false],
    ['vulnerable-injection, inside TLS', { starttls: 'vulnerable-injection' }, true],
  ] as const)('%s: the client\'s own port', async (_name, inbound, overTls) => {
    await using hop = await startTestHop(inbound);
    const client = await dial(hop.server.address, hop.pki);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    if (overTls) {
      await cmd(client, 'STARTTLS', 220);
      await client.startTls();
      await cmd(client, 'EHLO client.mailhop.test', 250);
    }
    await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
    await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
    await cmd(client, 'DATA', 354);
    expect((await client.sendData(Buffer.from(MESSAGE))).code, dialog(client)).toBe(250);
    await client.quit();
    const accepted = hop.trace.events().filter((e): e is AcceptedEvent => e.kind === 'accepted');
    expect(accepted.map((e) => e.remotePort)).toEqual([client.localPort]);
  });

  it('vulnerable-injection: the injection names the same port as the acceptance on its connection', async () => {
    await using hop = await startTestHop({ starttls: 'vulnerable-injection' });
    const client = await dial(hop.server.address, hop.pki);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    client.write('STARTTLS\r\nRSET');
    expect((await client.readReply('STARTTLS')).code, dialog(client)).toBe(220);
    await client.startTls();
    client.write('EHLO client.mailhop.test');
    await client.readReply('RSET'); // the injected RSET's reply comes first inside TLS
    await client.readReply('EHLO');
    await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
    await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
    await cmd(client, 'DATA', 354);
    expect((await client.sendData(Buffer.from(MESSAGE))).code, dialog(client)).toBe(250);
    await client.quit();
    const events = hop.trace.events();
    const injection = events.find((e): e is StarttlsInjectionEvent => e.kind === 'starttls-injection');
    const accepted = events.find((e): e is AcceptedEvent => e.kind === 'accepted');
    expect({ injection: injection?.serverPort, accepted: accepted?.remotePort }).toEqual({ injection: client.localPort, accepted: client.localPort });
  });
});
