// engine: external puts a server mailhop does not start into the chain: the link proxy in front of it
// forwards to its host:port, and the next hop listens where the gateway was told to relay. Here the
// "gateway" is a small relay written for the test (smtp-server in, nodemailer out), on loopback.
import { describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../harness/engines/free-address.js';
import { startChain } from '../../harness/chain/chain.js';
import { MailhopError } from '../../harness/errors.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { RunPki } from '../../harness/pki/run-pki.js';

/** An SMTP relay on 127.0.0.1 that passes each message on to `next`, with opportunistic STARTTLS. */
async function startRelay(next: { host: string; port: number }): Promise<{ port: number; close: () => Promise<void> }> {
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

describe('engine external', () => {
  it('judges the gateway\'s outbound link from the receiver and the wire', async () => {
    const mailboxPort = await freePort('127.0.0.1');
    const relay = await startRelay({ host: '127.0.0.1', port: mailboxPort });
    try {
      const scenario = Scenario.parse({
        name: 'external-gateway',
        hops: [{ id: 'gw', engine: 'external', host: '127.0.0.1', port: relay.port }, { id: 'mailbox', port: mailboxPort }],
        messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
      });
      await using chain = await startChain(scenario, { engineSettleMs: 5000 });
      expect(chain.hops.map((h) => [h.id, h.server])).toEqual([['gw', { host: '127.0.0.1', port: relay.port }], ['mailbox', chain.hops[1].server]]);
      expect(chain.hops[1].proxy).toEqual({ host: '127.0.0.1', port: mailboxPort });
      const report = await chain.run();
      expect(report.links.map((l) => [l.link, l.verdict])).toEqual([['client->gw', 'tls'], ['gw->mailbox', 'tls']]);
      expect(report.outcome).toBe('delivered');
      const outbound = report.messages[0].links[1];
      expect(outbound.witnesses).toEqual({ receiver: 'tls', wire: 'tls' });
      expect(outbound.notes[0]).toBe('sender gw is not driven by mailhop (external): no sender sessions; judged from the receiver, the wire');
    } finally {
      await relay.close();
    }
  });

  it('refuses a non-loopback address unless the caller allows it explicitly', async () => {
    const scenario = Scenario.parse({
      name: 'external-elsewhere',
      hops: [{ id: 'gw', engine: 'external', host: '192.0.2.10', port: 25 }, { id: 'mailbox' }],
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
    });
    const err = await startChain(scenario).then(
      (c) => c.stop().then(() => null),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MailhopError);
    expect((err as MailhopError).message).toBe(
      'refusing external hop gw at 192.0.2.10: not a loopback address (127.0.0.0/8); only startChain(scenario, { allowExternal: true }) uses one',
    );
  });
});
