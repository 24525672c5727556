import net from 'node:net';

/**
 * Mail sent by hand, as a person with swaks would: a plaintext SMTP dialogue (RFC 5321) on a raw socket,
 * without an `X-Mailhop-Id` header, answering each reply with the next command.
 * @returns every reply line, in order (the 250 after the final dot is the one before `221`).
 */
export async function sendByHand(port: number, body = 'Subject: by hand\r\n\r\nhello'): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  const replies: string[] = [];
  const script = ['EHLO tester.local', 'MAIL FROM:<carol@org.test>', 'RCPT TO:<dan@partner.test>', 'DATA', `${body}\r\n.`, 'QUIT'];
  let pending = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let m = /^(\d{3}) .*\r\n/m.exec(pending); m; m = /^(\d{3}) .*\r\n/m.exec(pending)) {
        replies.push(m[0].trimEnd());
        pending = pending.slice(m.index + m[0].length);
        const next = script.shift();
        if (next) socket.write(`${next}\r\n`);
      }
    });
  });
  return replies;
}
