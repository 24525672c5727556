/**
 * A plaintext SMTP dialogue on a raw socket (RFC 5321), as a person with swaks or telnet would type it:
 * EHLO, one MAIL FROM and RCPT TO, DATA with `content` (CRLF line ends, no final dot), QUIT. Resolves
 * with every final reply line in order (the greeting first) once the connection is closed: by the
 * server, or by this client once QUIT is answered (a front before a hop passes the server's FIN on
 * only when the client ends, so waiting for the server alone would wait forever there).
 */
import net from 'node:net';

export async function sendByHand(port: number, content = 'Subject: by hand\r\n\r\nhello', host = '127.0.0.1'): Promise<string[]> {
  const socket = net.connect(port, host);
  socket.setEncoding('utf8');
  const replies: string[] = [];
  const script = ['EHLO tester.local', 'MAIL FROM:<carol@org.test>', 'RCPT TO:<dan@partner.test>', 'DATA', `${content}\r\n.`, 'QUIT'];
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
        else socket.end();
      }
    });
  });
  return replies;
}
