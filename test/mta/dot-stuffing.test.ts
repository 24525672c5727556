/**
 * The bytes mailhop's SMTP client puts on the wire for a message (RFC 5321 §4.5.2 dot-stuffing, §2.3.8
 * line ends, §4.1.1.4 end of data), read by a bare socket server; and what a hop stores from them.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { SmtpClient } from '../../harness/mta/smtp-client.js';
import { cmd, dial, dialog } from '../support/dialog.js';
import { startTestHop } from '../support/hop.js';

/**
 * A server that answers every command 250 (DATA 354) and records the bytes between the 354 and the
 * end-of-data line, that line included.
 */
async function wireServer(): Promise<{ port: number; data: Promise<string>; close: () => void }> {
  let resolveData: (bytes: string) => void = () => {};
  const data = new Promise<string>((resolve) => (resolveData = resolve));
  const server = net.createServer((socket) => {
    socket.setEncoding('latin1');
    socket.write('220 wire.test ESMTP\r\n');
    let buffer = '';
    let inData = false;
    socket.on('data', (text: string) => {
      buffer += text;
      for (;;) {
        if (inData) {
          const end = buffer.startsWith('.\r\n') ? 0 : buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const length = end === 0 ? 3 : end + 5;
          resolveData(buffer.slice(0, length));
          buffer = buffer.slice(length);
          inData = false;
          socket.write('250 ok\r\n');
          continue;
        }
        const lf = buffer.indexOf('\r\n');
        if (lf < 0) return;
        const verb = buffer.slice(0, lf).split(' ')[0];
        buffer = buffer.slice(lf + 2);
        inData = verb === 'DATA';
        socket.write(inData ? '354 go\r\n' : '250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, data, close: () => server.close() };
}

/** What SmtpClient.sendData writes for `content` (latin1), up to and including `.` CRLF. */
async function wireBytes(content: string): Promise<string> {
  const server = await wireServer();
  try {
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: server.port, ehloName: 'c.test', timeoutMs: 5_000, servername: 'wire.test', ca: [] });
    await client.readReply();
    await client.command('MAIL FROM:<a@org.test>');
    await client.command('RCPT TO:<b@partner.test>');
    await client.command('DATA');
    await client.sendData(Buffer.from(content, 'latin1'));
    client.destroy();
    return await server.data;
  } finally {
    server.close();
  }
}

describe('SmtpClient: the message content on the wire', () => {
  it.each([
    ['a dot after a bare CR is content, not a line start', 'price\r.99\r\n', 'price\r.99\r\n.\r\n'],
    ['a dot at the very start is doubled', '.start\r\n', '..start\r\n.\r\n'],
    ['a dot after CRLF is doubled, however many follow', 'a\r\n.\r\n..\r\n.x\r\n', 'a\r\n..\r\n...\r\n..x\r\n.\r\n'],
    ['the end-of-data sequence inside the content is stuffed', 'a\r\n.\r\nMAIL FROM:<x@y>\r\n', 'a\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n'],
    ['a bare LF is a line end and goes as CRLF (RFC 5321 §2.3.8), a dot after it is stuffed', 'a\n.b\n', 'a\r\n..b\r\n.\r\n'],
    ['content without a final CRLF gets one (RFC 5321 §4.1.1.4)', 'no end', 'no end\r\n.\r\n'],
    ['content ending in a bare CR gets CRLF after it', 'cr\r', 'cr\r\r\n.\r\n'],
    ['NUL and 8-bit bytes pass as they are', 'x\x00\xff\x80\r\n', 'x\x00\xff\x80\r\n.\r\n'],
  ])('%s', async (_, content, wire) => {
    expect(await wireBytes(content)).toBe(wire);
  });
});

describe('a hop stores the content as the sender meant it', () => {
  it('keeps a bare CR and the dot after it; unstuffs the dots after CRLF', async () => {
    await using hop = await startTestHop();
    const client = await dial(hop.server.address);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
    await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
    await cmd(client, 'DATA', 354);
    const content = 'X-Mailhop-Id: m1\r\n\r\nprice\r.99\r\n.\r\n..\r\n';
    expect((await client.sendData(Buffer.from(content, 'latin1'))).code, dialog(client)).toBe(250);
    const stored = hop.accepted[0].raw.toString('latin1');
    expect(stored.slice(stored.indexOf('X-Mailhop-Id:'))).toBe(content);
    await client.quit();
  });
});
