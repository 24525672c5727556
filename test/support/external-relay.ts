// A stand-in for a gateway mailhop does not start (`engine: external`): an SMTP relay on 127.0.0.1
// (smtp-server in, with opportunistic STARTTLS; nodemailer out) that passes each message on to `next`.
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import type { AddressInfo } from 'node:net';
import { RunPki } from '../../harness/pki/run-pki.js';

/** A running relay: the port it listens on, and `close()`. */
export interface ExternalRelay {
  port: number;
  close(): Promise<void>;
}

/** Starts a relay on 127.0.0.1 (a free port) that passes each message on to `next`, with opportunistic STARTTLS. */
export async function startRelay(next: { host: string; port: number }): Promise<ExternalRelay> {
  const pki = await RunPki.create();
  const { key, cert } = await pki.issue('gw.example.test', 'valid');
  const out = nodemailer.createTransport({ host: next.host, port: next.port, secure: false, name: 'gw.example.test', tls: { rejectUnauthorized: false } });
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
