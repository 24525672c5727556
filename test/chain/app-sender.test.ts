/**
 * The application under test as the first sender (`submit: { sender: app }`): a nodemailer transport submits to
 * chain.submission() (the first link's proxy), and the submission link is judged from the wire and the first hop
 * alone. Faults on `client -> first hop` act on the app's connections, `attempts:` counting them; mail the app
 * refuses to send is judged through chain.expectSubmission() (`refused`, `rejected`, `held`).
 */
import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';
import { headerValue } from '../../harness/mta/received-header.js';
import type { StartedChain } from '../../harness/chain/chain-types.js';
import { SmtpClient } from '../../harness/mta/smtp-client.js';
import type { WireEvent } from '../../harness/trace/events.js';
import { cmd, expectReply } from '../support/dialog.js';

const mail = { from: 'alice@org.test', to: 'bob@partner.test', subject: 'from the app', text: 'hello' };

function scenario(extra: Partial<ScenarioInput> = {}): Scenario {
  return Scenario.parse({ name: 'app-sender', submit: { sender: 'app' }, hops: [{ id: 'relay' }, { id: 'mailbox' }], ...extra });
}

/** The app's transport: nodemailer with the run's CA, as an application configured for this chain would be. */
function appTransport(chain: StartedChain, options: { requireTLS?: boolean } = {}) {
  const { host, port, servername, ca } = chain.submission();
  return nodemailer.createTransport({ host, port, secure: false, name: 'app.example.test', tls: { ca, servername }, ...options });
}

describe('the application as the first sender', () => {
  it('ties the app\'s message to the id announced for it and judges client->relay tls from the wire and the first hop', async () => {
    await using chain = await startChain(scenario());
    const { id } = chain.expectSubmission();
    await appTransport(chain).sendMail(mail);
    const report = await chain.run();

    expect(id).toBe('m1');
    expect(chain.mailbox().map((m) => [m.id, headerValue(m.raw, 'Subject')])).toEqual([['m1', 'from the app']]);
    expect(report.messages.map((m) => [m.messageId, m.outcome, m.links.map((l) => l.verdict), m.endToEnd])).toEqual([
      ['m1', 'delivered', ['tls', 'tls'], 'encrypted'],
    ]);
    const client = report.messages[0].links[0];
    expect(client.witnesses).toEqual({ receiver: 'tls', wire: 'tls' });
    expect(client.notes[0]).toBe('sender client is the application under test: no sender sessions; judged from the receiver, the wire');
    expect(client.notes).toContain('connection 1: STARTTLS offered · STARTTLS 220 2.0.0 Ready to start TLS · TLS TLSv1.3 · content not in clear');
    expect(report.passed).toBe(true);
  });

  it('judges an app that refuses to send when STARTTLS is stripped and refused: refused on the wire, rejected, held', async () => {
    await using chain = await startChain(scenario({ links: [{ from: 'client', to: 'relay', fault: 'mask-starttls' }] }));
    chain.expectSubmission();
    await expect(appTransport(chain, { requireTLS: true }).sendMail(mail)).rejects.toThrow(/STARTTLS/);
    const report = await chain.run();

    const m1 = report.messages[0];
    expect([m1.messageId, m1.outcome, m1.links[0].verdict, m1.links[1].verdict, m1.endToEnd]).toEqual(['m1', 'rejected', 'refused', 'none', 'held']);
    expect(m1.links[0].crossedInClear).toBe(false);
    // The wire record is the client's side of the attacker: its STARTTLS, and the 500 the server gave the masked verb.
    expect(m1.links[0].notes.filter((n) => n.startsWith('connection 1:'))).toEqual([
      'connection 1: STARTTLS not offered · STARTTLS 500 5.5.2 Error: command not recognized · last command in clear STARTTLS · no content',
      'connection 1: mask-starttls masked "250-STARTTLS" as "250-XXXXXXXA" in the EHLO reply; masked the client\'s STARTTLS as XXXXXXXA',
    ]);
    expect(chain.mailbox()).toEqual([]);
  });

  it('sees nodemailer\'s requireTLS send STARTTLS although the EHLO reply was stripped of it, and get TLS', async () => {
    await using chain = await startChain(scenario({ links: [{ from: 'client', to: 'relay', fault: 'strip-starttls' }] }));
    await appTransport(chain, { requireTLS: true }).sendMail(mail);
    const report = await chain.run();

    const m1 = report.messages[0];
    expect([m1.outcome, m1.links[0].verdict, m1.endToEnd]).toEqual(['delivered', 'tls', 'encrypted']);
    expect(m1.links[0].notes).toContain('connection 1: STARTTLS not offered · STARTTLS 220 2.0.0 Ready to start TLS · TLS TLSv1.3 · content not in clear');
  });

  it('judges an app that goes on in clear when STARTTLS is stripped: stripped, broken', async () => {
    await using chain = await startChain(scenario({ links: [{ from: 'client', to: 'relay', fault: 'strip-starttls' }] }));
    await appTransport(chain).sendMail(mail);
    const report = await chain.run();

    const m1 = report.messages[0];
    expect([m1.messageId, m1.outcome, m1.links[0].verdict, m1.endToEnd]).toEqual(['m1', 'delivered', 'stripped', 'broken']);
    expect(m1.links[0].witnesses).toEqual({ receiver: 'plain', wire: 'plain' });
  });

  it('counts the app\'s connections for attempts: (the first masked, the second untouched)', async () => {
    await using chain = await startChain(scenario({ links: [{ from: 'client', to: 'relay', fault: 'mask-starttls', attempts: [1] }] }));
    const transport = appTransport(chain, { requireTLS: true });
    const first = chain.expectSubmission();
    await expect(transport.sendMail({ ...mail, headers: first.headers })).rejects.toThrow(/STARTTLS/);
    const second = chain.expectSubmission();
    await transport.sendMail({ ...mail, subject: 'second', headers: second.headers });
    const report = await chain.run();

    expect(report.messages.map((m) => [m.messageId, m.outcome, m.links[0].verdict])).toEqual([
      [first.id, 'rejected', 'refused'],
      [second.id, 'delivered', 'tls'],
    ]);
    expect(chain.mailbox().map((m) => [m.id, headerValue(m.raw, 'Subject')])).toEqual([[second.id, 'second']]);
    const wire = chain.events().flatMap((e) => (e.kind === 'wire' && e.link === 'client->relay' ? [e.record] : []));
    expect(wire.map((r) => [r.starttlsAdvertised, [...new Set(r.faults.map((f) => f.fault))]])).toEqual([[false, ['mask-starttls']], [true, []]]);
  });

  it('refuses chain.send() and the wrong use of messages:', async () => {
    await using chain = await startChain(scenario());
    await expect(chain.send({ from: mail.from, to: [mail.to] })).rejects.toThrow(
      'scenario app-sender: cannot call chain.send(): the application under test submits its mail (submit: { sender: app }). Send from your application to chain.submission(), announcing each message with chain.expectSubmission().',
    );
    expect(() => scenario({ messages: [{ from: mail.from, to: [mail.to] }] })).toThrow(/remove messages:/);
    expect(() => Scenario.parse({ name: 'x', hops: [{ id: 'relay' }] })).toThrow(/needs at least one message/);
  });
});

describe('the application submitting with REQUIRETLS (RFC 8689)', () => {
  it('holds the relay to the promise the first hop accepted: relayed in clear, it is a leak, although mailhop did not submit it', async () => {
    await using chain = await startChain(scenario({
      hops: [{ id: 'relay', inbound: { requireTls: 'advertise' }, outbound: { tls: 'opportunistic', requireTls: 'opportunistic' } }, { id: 'mailbox', inbound: { starttls: 'none' } }],
    }));
    const { host, port, servername, ca } = chain.submission();
    const { headers } = chain.expectSubmission();
    const client = await SmtpClient.connect({ host, port, ehloName: 'app.example.test', timeoutMs: 5_000, servername, ca: [ca] });
    await expectReply(client, client.readReply(), 220);
    await cmd(client, 'EHLO app.example.test', 250);
    await cmd(client, 'STARTTLS', 220);
    await client.startTls();
    const ehlo = await cmd(client, 'EHLO app.example.test', 250);
    expect(ehlo.lines).toContain('REQUIRETLS');
    await cmd(client, 'MAIL FROM:<alice@org.test> REQUIRETLS', 250);
    await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
    await cmd(client, 'DATA', 354);
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    expect((await client.sendData(Buffer.from(`${extra}Subject: promised\r\n\r\nsecret\r\n`))).code).toBe(250);
    await client.quit();
    const report = await chain.run();

    const [accepted] = chain.events().filter((e) => e.kind === 'accepted' && e.hop === 'relay');
    expect(accepted).toMatchObject({ requireTls: true, secure: true });
    const toMailbox = chain.events().filter((e): e is WireEvent => e.kind === 'wire' && e.link === 'relay->mailbox');
    expect(toMailbox.flatMap((w) => w.record.plaintextMessageIds)).toEqual(['m1']);
    const m1 = report.messages[0];
    expect([m1.outcome, m1.endToEnd, m1.links[1].leak]).toEqual(['delivered', 'leak', true]);
    expect(report.passed).toBe(false);
  });
});
