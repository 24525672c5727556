/**
 * Behind a hop mailhop does not drive (a real engine, an external gateway), the sender's connections are not
 * announced, so under `mailhop up` a hop believes an id there only with the chain's `X-Mailhop-Seal` (an HMAC no
 * SMTP peer can compute), through the link's proxy, and once: a forged id, a wrong seal, and a replay of the
 * delivered message (seal included) all get fresh ids, and the real message keeps its own.
 */
import { describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../harness/engines/free-address.js';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { headerValue } from '../../harness/mta/received-header.js';
import { sendByHand } from '../support/dialog.js';

/** An external gateway written for the test: takes each message at once, and relays it in plaintext to `next` once `release()` is called. */
async function startGatedRelay(next: { host: string; port: number }) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let took!: () => void;
  const taken = new Promise<void>((resolve) => (took = resolve));
  const out = nodemailer.createTransport({ host: next.host, port: next.port, secure: false, ignoreTLS: true, name: 'gw.example.test' });
  const relayed: Array<Promise<unknown>> = [];
  const server = new SMTPServer({
    authOptional: true, logger: false, disableReverseLookup: true, disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
        relayed.push(gate.then(() => out.sendMail({ envelope, raw: Buffer.concat(chunks) })));
        callback();
        took();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    /** Resolves once it holds a message. */
    taken,
    /** Relays what it holds; resolves once the next hop took all of it. */
    release: async () => {
      release();
      await Promise.all(relayed);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('ids behind a hop mailhop does not drive (mailhop up)', () => {
  it('believes the sealed id once; a forged id, a wrong seal and a replay of the delivered message get fresh ids', async () => {
    const mailboxPort = await freePort('127.0.0.1');
    const gw = await startGatedRelay({ host: '127.0.0.1', port: mailboxPort });
    try {
      const scenario = Scenario.parse({
        name: 'sealed-ids',
        hops: [{ id: 'relay', outbound: { tls: 'none' } }, { id: 'gw', engine: 'external', host: '127.0.0.1', port: gw.port }, { id: 'mailbox', port: mailboxPort }],
        messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
      });
      await using chain = await startChain(scenario, { stampMissingId: true, engineSettleMs: 5000 });
      const [relay, , mailbox] = chain.hops;
      expect((await sendByHand(relay.proxy.port, 'Subject: real\r\n\r\nthe real content')).at(-2)).toMatch(/^250 /);
      await gw.taken;

      // m1 waits at gw. Claims to it at the mailbox: no seal, and a seal that is not the chain's.
      await sendByHand(mailbox.proxy.port, 'X-Mailhop-Id: m1\r\nSubject: forged\r\n\r\nnot it');
      await sendByHand(mailbox.proxy.port, 'X-Mailhop-Id: m1\r\nX-Mailhop-Seal: AAAAAAAAAAAAAAAAAAAAAA\r\nSubject: wrong seal\r\n\r\nnot it');
      await gw.release();
      // The delivered m1, seal and all, sent again.
      const delivered = chain.mailbox().find((m) => m.id === 'm1')!;
      await sendByHand(mailbox.proxy.port, delivered.raw.toString('latin1').replace(/\r\n$/, ''));

      expect(chain.mailbox().map((m) => [m.id, headerValue(m.raw, 'Subject'), headerValue(m.raw, 'X-Mailhop-Original-Id') ?? null])).toEqual([
        ['m2', 'forged', 'm1'],
        ['m3', 'wrong seal', 'm1'],
        ['m1', 'real', null],
        ['m4', 'real', 'm1'],
      ]);
      // Fresh ids carry the chain's seal; the real m1 kept the one relay gave it.
      for (const m of chain.mailbox()) expect(headerValue(m.raw, 'X-Mailhop-Seal')).toMatch(/^[\w-]{22}$/);
    } finally {
      await gw.close();
    }
  });
});
