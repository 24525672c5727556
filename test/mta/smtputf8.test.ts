/**
 * Internationalised addresses (RFC 6531): the relay client sends them only with SMTPUTF8, as UTF-8, to a server
 * that advertised it, and they arrive byte-exact; a next hop without SMTPUTF8 gets nothing (the message bounces
 * with 553 5.6.7) rather than a mangled address.
 */
import { describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { freePort } from '../../harness/engines/free-address.js';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { needsSmtpUtf8 } from '../../harness/mta/smtputf8.js';
import { runInline } from '../support/chain.js';

const FROM = 'josé@exämple.test';
const TO = '用户@例子.test';

describe('SMTPUTF8 (RFC 6531)', () => {
  it('relays non-ASCII addresses over 3 hops as UTF-8 with SMTPUTF8, and they arrive byte-exact', async () => {
    const run = await runInline({
      submit: { tls: 'none' },
      hops: [{ id: 'relay', outbound: { tls: 'none' } }, { id: 'gateway', outbound: { tls: 'none' } }, { id: 'mailbox' }],
      messages: [{ from: FROM, to: [TO], subject: 'héllo' }],
    });
    expect(run.report.failures).toEqual([]);
    expect(run.report.outcome).toBe('delivered');
    for (const link of ['client->relay', 'relay->gateway', 'gateway->mailbox']) {
      const [wire] = run.wire(link);
      // The witness decodes each line as UTF-8: latin1 bytes would read as U+FFFD (é) or as `(` (用 = U+7528).
      expect(wire.ehlo, link).toContain('SMTPUTF8');
      expect(wire.commands.filter((c) => c.verb === 'MAIL' || c.verb === 'RCPT'), link).toEqual([
        { verb: 'MAIL', arg: `FROM:<${FROM}> SMTPUTF8` },
        { verb: 'RCPT', arg: `TO:<${TO}>` },
      ]);
      expect(wire.transcript.map((t) => `${t.dir}: ${t.text}`), link).toContain(`C: MAIL FROM:<${FROM}> SMTPUTF8`);
      expect(run.sessions(link)[0].transcript, link).toContainEqual({ dir: 'C', text: `RCPT TO:<${TO}>` });
    }
    const [stored] = run.mailbox;
    expect({ from: stored.from, to: stored.to }).toEqual({ from: FROM, to: [TO] });
    expect(Buffer.from(stored.from, 'utf8')).toEqual(Buffer.from(FROM, 'utf8'));
    // Every hop's Received header names the recipient as it came, and says UTF8SMTP (RFC 6531 §4.3).
    const received = [...stored.raw.toString('utf8').matchAll(/^Received: [^]*?;/gm)].map((m) => m[0]);
    expect(received).toHaveLength(3);
    for (const header of received) {
      expect(header).toContain(`for <${TO}>`);
      expect(header).toMatch(/ with UTF8SMTP id /);
    }
    expect(stored.raw.toString('utf8')).toContain(`From: ${FROM}`);
  });

  it('keeps ASCII mail as before: no SMTPUTF8 parameter, ESMTP in the Received header', async () => {
    const run = await runInline({ submit: { tls: 'none' }, hops: [{ id: 'relay', outbound: { tls: 'none' } }, { id: 'mailbox' }] });
    expect(run.wire('relay->mailbox')[0].commands.find((c) => c.verb === 'MAIL')).toEqual({ verb: 'MAIL', arg: 'FROM:<alice@org.test>' });
    expect(run.mailbox[0].raw.toString('utf8')).toMatch(/ with ESMTP id /);
  });

  it('delivers over STARTTLS too, the mailbox addresses equal to the scenario\'s', async () => {
    const run = await runInline({ hops: [{ id: 'relay' }, { id: 'gateway' }, { id: 'mailbox' }], messages: [{ from: FROM, to: [TO, 'bob@partner.test'] }] });
    expect(run.report.links.map((l) => l.verdict)).toEqual(['tls', 'tls', 'tls']);
    expect(run.mailbox.map((m) => [m.from, m.to])).toEqual([[FROM, [TO, 'bob@partner.test']]]);
    expect(run.mailbox[0].raw.toString('utf8')).toMatch(/ with UTF8SMTPS id /);
  });

  it('bounces with 553 5.6.7 rather than send a non-ASCII address to a hop without SMTPUTF8', async () => {
    // A server that does not offer SMTPUTF8 (Postfix with smtputf8_enable = no), as an external hop.
    const seen: string[] = [];
    const legacy = new SMTPServer({
      hideSMTPUTF8: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, disableReverseLookup: true,
      onMailFrom(address, _session, callback) {
        seen.push(address.address);
        callback();
      },
      onData(stream, _session, callback) {
        stream.resume().on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
    try {
      const scenario = Scenario.parse({
        name: 'smtputf8-missing',
        hops: [
          { id: 'relay', outbound: { tls: 'none' } },
          { id: 'legacy', engine: 'external', host: '127.0.0.1', port: (legacy.server.address() as AddressInfo).port },
          { id: 'mailbox', port: await freePort('127.0.0.1') },
        ],
        messages: [{ from: FROM, to: [TO] }],
      });
      await using chain = await startChain(scenario, { engineSettleMs: 2000 });
      const report = await chain.run();
      expect(report.outcome).toBe('bounced');
      expect(chain.dsns()).toEqual([
        expect.objectContaining({ hop: 'relay', to: FROM, reply: { code: 553, enhanced: '5.6.7', text: '553 5.6.7 non-ASCII address not permitted: legacy.mailhop.test does not support SMTPUTF8' } }),
      ]);
      expect(report.links.find((l) => l.link === 'relay->legacy')?.verdict).toBe('refused');
      // Nothing after EHLO crossed: no MAIL, no RCPT, no content, and the server saw no address at all.
      const wire = chain.events().flatMap((e) => (e.kind === 'wire' && e.link === 'relay->legacy' ? [e.record] : []));
      expect(wire.map((r) => r.commands.map((c) => c.verb))).toEqual([['EHLO', 'QUIT']]);
      expect(wire[0].ehlo).not.toContain('SMTPUTF8');
      expect(wire[0].plaintextData).toBe(false);
      expect(seen).toEqual([]);
      expect(chain.mailbox()).toEqual([]);
      expect(report.failures).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => legacy.close(() => resolve()));
    }
  });

  it('needs SMTPUTF8 for a non-ASCII envelope or header field, not for a non-ASCII body', () => {
    const raw = (text: string) => Buffer.from(text, 'utf8');
    expect(needsSmtpUtf8({ from: FROM, to: ['bob@partner.test'], raw: raw('Subject: x\r\n\r\nbody') })).toBe(true);
    expect(needsSmtpUtf8({ from: 'a@org.test', to: [TO], raw: raw('Subject: x\r\n\r\nbody') })).toBe(true);
    expect(needsSmtpUtf8({ from: 'a@org.test', to: ['b@partner.test'], raw: raw('Subject: héllo\r\n\r\nbody') })).toBe(true);
    expect(needsSmtpUtf8({ from: 'a@org.test', to: ['b@partner.test'], raw: raw('Subject: x\r\n\r\nbödy') })).toBe(false);
  });

  it('a hop refuses a non-ASCII mailbox in a transaction that did not declare SMTPUTF8, and takes it once declared', async () => {
    const scenario = Scenario.parse({ name: 'undeclared-utf8', hops: [{ id: 'mx' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    await using chain = await startChain(scenario);
    const socket = net.connect(chain.hops[0].server.port, chain.hops[0].server.host);
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (d: string) => (text += d));
    await once(socket, 'data'); // the greeting: a client that talks first is refused as an early talker
    socket.write('EHLO client.test\r\nMAIL FROM:<josé@exämple.test>\r\nMAIL FROM:<a@org.test>\r\nRCPT TO:<用户@例子.test>\r\nRSET\r\nMAIL FROM:<josé@exämple.test> SMTPUTF8\r\nRCPT TO:<用户@例子.test>\r\nQUIT\r\n');
    await once(socket, 'close');
    const finals = text.split('\r\n').filter((l) => /^\d{3} /.test(l)).slice(2); // after the greeting and EHLO's reply
    expect(finals).toEqual([
      '553 5.1.3 Must declare SMTPUTF8 to send unicode address',
      expect.stringMatching(/^250 /),
      '553 5.1.3 Must declare SMTPUTF8 to send unicode address',
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^221 /),
    ]);
  });
});
