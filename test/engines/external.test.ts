// engine: external puts a server mailhop does not start into the chain: the link proxy in front of it
// forwards to its host:port, and the next hop listens where the gateway was told to relay. Here the
// "gateway" is a small relay written for the test (smtp-server in, nodemailer out), on loopback.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../harness/engines/free-address.js';
import { startChain } from '../../harness/chain/chain.js';
import { MailhopError } from '../../harness/errors.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { startRelay } from '../support/external-relay.js';

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

  it('a gateway whose second connection resumes its TLS session: the wire says so, the message is judged tls', async () => {
    const mailboxPort = await freePort('127.0.0.1');
    const relay = await startRelay({ host: '127.0.0.1', port: mailboxPort }, { resume: true });
    try {
      const two = ['one', 'two'].map((subject) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject }));
      const scenario = Scenario.parse({
        name: 'external-resumes',
        submit: { concurrencyLimit: 1 },
        hops: [{ id: 'gw', engine: 'external', host: '127.0.0.1', port: relay.port }, { id: 'mailbox', port: mailboxPort }],
        messages: two,
      });
      await using chain = await startChain(scenario, { engineSettleMs: 5000 });
      const report = await chain.run();
      const wire = chain.events().flatMap((e) => (e.kind === 'wire' && e.link === 'gw->mailbox' ? [e.record] : [])).sort((a, b) => a.seq - b.seq);
      expect(wire.map((w) => [w.handshake, w.resumptionOffered ?? false, w.resumed ?? false])).toEqual([['established', false, false], ['established', true, true]]);
      const outbound = report.messages.map((m) => m.links[1]);
      expect(outbound.map((l) => [l.messageId, l.verdict, l.resumed ?? false])).toEqual([['m1', 'tls', false], ['m2', 'tls', true]]);
      expect(outbound[1].notes).toContain('TLS session resumed on the connection that carried it (the wire saw the ServerHello resume it)');
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
      'hop gw: cannot relay to the external gateway at 192.0.2.10: it is not a loopback address (127.0.0.0/8). Only startChain(scenario, { allowExternal: true }) (`--allow-external`) uses one.',
    );
  });
});
