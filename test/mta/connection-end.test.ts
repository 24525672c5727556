// How the end of a connection reaches a read of mailhop's SMTP client (reply-reader.ts): every session ends
// in one (the server's FIN after its 221, a reset after QUIT), so it is recorded as a plain value, and only a
// read that meets it throws, as the same MailhopError a user has always seen.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MailhopError } from '../../harness/errors.js';
import { ReplyReader, type TranscriptLine } from '../../harness/mta/reply-reader.js';
import { SmtpClient } from '../../harness/mta/smtp-client.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server that greets, then closes each connection as soon as it reads a line. */
async function greetAndHangUp(): Promise<{ host: string; port: number }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write('220 mx.mailhop.test ESMTP\r\n');
    socket.once('data', () => socket.end());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

/** How a pending read ends: its reply's text, or the error's class, code and message. */
async function outcome(pending: Promise<{ text: string }>): Promise<string> {
  return pending.then(
    (reply) => `reply ${reply.text}`,
    (err: Error & { code?: string }) => `${err instanceof MailhopError ? 'MailhopError' : err.name} ${err.code}: ${err.message}`,
  );
}

describe('the end of a connection, as the client reads it', () => {
  it('is given as a plain reason, read after the replies before it, and thrown as a MailhopError naming the command', async () => {
    const transcript: TranscriptLine[] = [];
    const reader = new ReplyReader(5_000, transcript);
    reader.push(Buffer.from('221 2.0.0 Bye\r\n'));
    reader.end({ code: 'ESOCKET', message: 'connection closed by peer' });

    expect(await outcome(reader.read('QUIT'))).toBe('reply 221 2.0.0 Bye');
    expect(await outcome(reader.read('NOOP'))).toBe('MailhopError ESOCKET: connection closed by peer (waiting for the reply to NOOP)');
    expect(reader.ended).toMatchObject({ code: 'ESOCKET' });
  });

  it('reads as before when the server hangs up on a command: ESOCKET, connection closed by peer', async () => {
    const client = await SmtpClient.connect({ ...(await greetAndHangUp()), ehloName: 'client.mailhop.test', timeoutMs: 5_000, servername: 'mx.mailhop.test', ca: [] });
    expect(await outcome(client.readReply())).toBe('reply 220 mx.mailhop.test ESMTP');
    expect(await outcome(client.command('EHLO client.mailhop.test'))).toBe('MailhopError ESOCKET: connection closed by peer (waiting for the reply to EHLO)');
    client.destroy();
  });
});
