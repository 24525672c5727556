// A stand-in for a gateway mailhop does not start (`engine: external`): an SMTP relay on 127.0.0.1
// (smtp-server in, with opportunistic STARTTLS; nodemailer out) that passes each message on to `next`.
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import type { AddressInfo } from 'node:net';
import { RunPki } from '../../harness/pki/run-pki.js';
import { SmtpClient } from '../../harness/mta/smtp-client.js';
import { TlsSessionCache } from '../../harness/mta/tls-session-cache.js';

/** A running relay: the port it listens on, and `close()`. */
export interface ExternalRelay {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts a relay on 127.0.0.1 (a free port) that passes each message on to `next`, with opportunistic STARTTLS.
 * `resume`: it relays with mailhop's own client instead, keeping the TLS session `next` issued and offering it on its
 * next connection (as a Postfix with a TLS session cache would).
 */
export async function startRelay(next: { host: string; port: number }, options: { resume?: boolean } = {}): Promise<ExternalRelay> {
  const pki = await RunPki.create();
  const { key, cert } = await pki.issue('gw.example.test', 'valid');
  const out = options.resume ? resumingTransport(next) : nodemailer.createTransport({ host: next.host, port: next.port, secure: false, name: 'gw.example.test', tls: { rejectUnauthorized: false } });
  const server = new SMTPServer({
    key, cert, authOptional: true, logger: false, disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
        out.sendMail({ envelope, raw: Buffer.concat(chunks) }).then(() => callback(), (err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A transport that sends each message on a new connection with STARTTLS, offering the TLS session kept from the last. */
function resumingTransport(next: { host: string; port: number }): { sendMail(m: { envelope: { from: string; to: string[] }; raw: Buffer }): Promise<void> } {
  const tlsSessions = new TlsSessionCache();
  return {
    async sendMail({ envelope, raw }) {
      const client = await SmtpClient.connect({ ...next, ehloName: 'gw.example.test', timeoutMs: 5_000, servername: 'mailbox', ca: [], tlsSessions });
      const expect = async (reply: Promise<{ code: number; text: string }>, code: number) => {
        const r = await reply;
        if (r.code !== code) throw new Error(`${r.code} ${r.text}`);
      };
      try {
        await expect(client.readReply(), 220);
        await expect(client.command('EHLO gw.example.test'), 250);
        await expect(client.command('STARTTLS'), 220);
        await client.startTls();
        await expect(client.command('EHLO gw.example.test'), 250);
        await expect(client.command(`MAIL FROM:<${envelope.from}>`), 250);
        for (const to of envelope.to) await expect(client.command(`RCPT TO:<${to}>`), 250);
        await expect(client.command('DATA'), 354);
        await expect(client.sendData(raw), 250);
      } finally {
        await client.quit();
      }
    },
  };
}
