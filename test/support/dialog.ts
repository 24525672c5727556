/**
 * SMTP dialogs for tests, read like transcripts: `cmd(client, 'STARTTLS', 220)` with mailhop's own
 * SmtpClient (mailpit's `cmdCode`), a plaintext dialogue on a raw socket as a person types it, and the
 * one `dialog()` that prints any transcript (a client's, or a link proxy's wire record) in a failing assertion.
 */
import net from 'node:net';
import { expect } from 'vitest';
import { SmtpClient, type SmtpReply } from '../../harness/mta/smtp-client.js';
import type { RunPki } from '../../harness/pki/run-pki.js';
import { HOSTNAME } from './hop.js';

/** Anything with a transcript of `C:`/`S:` lines: an SmtpClient, a WireRecord. */
export interface HasTranscript {
  transcript: ReadonlyArray<{ dir: string; text: string }>;
}

/** The dialog so far, one line each (`C: EHLO x` / `S: 250 ok`), for assertion messages. */
export function dialog(source: HasTranscript): string {
  return source.transcript.map((l) => `${l.dir}: ${l.text}`).join('\n');
}

/** Opens an SMTP dialog with a hop (or any address) and reads the greeting; the hop's name is `servername`. */
export async function dial(address: { host: string; port: number }, pki?: RunPki, timeoutMs = 2_000, servername = HOSTNAME): Promise<SmtpClient> {
  const client = await SmtpClient.connect({
    ...address, ehloName: 'client.mailhop.test', timeoutMs, servername, ca: pki ? [pki.ca.cert] : [],
  });
  await expectReply(client, client.readReply(), 220);
  return client;
}

/** Awaits a reply and checks its code; on a mismatch the dialog is printed. */
export async function expectReply(client: SmtpClient, pending: Promise<SmtpReply>, code: number): Promise<SmtpReply> {
  const reply = await pending;
  expect(reply.code, dialog(client)).toBe(code);
  return reply;
}

/** Sends a command and checks the reply code (mailpit's `cmdCode`). */
export function cmd(client: SmtpClient, line: string, code: number): Promise<SmtpReply> {
  return expectReply(client, client.command(line), code);
}

/**
 * A plaintext SMTP dialogue on a raw socket (RFC 5321), as a person with swaks or telnet would type it:
 * EHLO, one MAIL FROM and RCPT TO, DATA with `content` (CRLF line ends, no final dot), QUIT. Resolves
 * with every final reply line in order (the greeting first) once the connection is closed: this client
 * ends its side once QUIT is answered, and the server closes after its 221 (RFC 5321 §4.1.1.10).
 */
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
