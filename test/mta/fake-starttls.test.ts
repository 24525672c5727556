import { describe, it, expect } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import { cmd, dial, dialog } from '../support/dialog.js';
import { startTestHop } from '../support/hop.js';
import type { RefusedCommandEvent } from '../../harness/trace/events.js';

// Hops whose STARTTLS is refused by a front before the honest server (docs/behaviour.md#S-none,
// docs/behaviour.md#S-fake-454; A-454 and A-tamper-220 as the server's own doing), and what each client policy
// (docs/behaviour.md#B-policies) does about it, asserted on what crossed the wire.

const FAKES = [
  { inbound: { starttls: 'fake-454' }, reply: '454 4.7.0 TLS not available due to temporary reason' },
  { inbound: { starttls: 'fake-502' }, reply: '502 5.5.1 Error: command not implemented' },
  { inbound: { starttls: 'fake-reply', starttlsReply: '454 4.3.3 TLS not available right now' }, reply: '454 4.3.3 TLS not available right now' },
  { inbound: { starttls: 'fake-reply', starttlsReply: '554 5.7.0 no TLS for you' }, reply: '554 5.7.0 no TLS for you' },
] as const;

describe('inbound none answers STARTTLS as Postfix does', () => {
  it('does not advertise it, answers 502 5.5.1, and the session goes on in plaintext', async () => {
    await using hop = await startTestHop({ starttls: 'none' });
    const client = await dial(hop.server.address);
    const ehlo = await cmd(client, 'EHLO client.mailhop.test', 250);
    expect(ehlo.lines, dialog(client)).not.toContain('STARTTLS');
    expect((await cmd(client, 'STARTTLS', 502)).text).toBe('502 5.5.1 Error: command not implemented');
    await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
    await client.quit();
    expect(hop.trace.events()).toContainEqual(expect.objectContaining({ kind: 'refused-command', hop: 'mx', command: 'STARTTLS', reply: '502 5.5.1 Error: command not implemented' }));
  });
});

describe.each(FAKES)('inbound $inbound.starttls answering "$reply"', ({ inbound, reply }) => {
  it('advertises STARTTLS, refuses it, and the honest server behind never saw it (still offers it after)', async () => {
    await using hop = await startTestHop(inbound);
    const client = await dial(hop.server.address);
    expect((await cmd(client, 'EHLO client.mailhop.test', 250)).lines).toContain('STARTTLS');
    expect((await cmd(client, 'STARTTLS', Number(reply.slice(0, 3)))).text).toBe(reply);
    // RFC 3207 §4.2: after a real upgrade the server must not list STARTTLS again; this one still does.
    expect((await cmd(client, 'EHLO client.mailhop.test', 250)).lines, dialog(client)).toContain('STARTTLS');
    await client.quit();
    const refused = hop.trace.events().filter((e): e is RefusedCommandEvent => e.kind === 'refused-command');
    expect(refused.map((e) => [e.command, e.reply])).toEqual([['STARTTLS', reply]]);
  });

  it('opportunistic (starttlsRejected continue): plaintext in the same session, link downgraded', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic' }, hops: [{ id: 'mx', inbound }] });
    const wire = run.wire('client->mx');
    expect(wire).toHaveLength(1);
    expect(wire[0].starttlsAdvertised).toBe(true);
    expect(wire[0].starttlsReply).toEqual({ code: Number(reply.slice(0, 3)), text: reply.slice(4) });
    expect(wire[0].handshake).toBe('none');
    expect(verbs(wire[0])).toEqual(['EHLO', 'STARTTLS', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(wire[0].plaintextMessageIds).toEqual(['m1']);
    expect(run.sessions('client->mx')[0].tlsFailure?.type).toBe('starttls-rejected');
    expect(run.mailbox[0].raw.toString()).toMatch(/with ESMTP id/);
    expect(run.report.links[0].verdict).toBe('downgraded');
    expect(run.report.endToEnd).toBe('broken');
  });

  it('opportunistic with starttlsRejected defer: deferred on every attempt, never in clear', async () => {
    const run = await runInline({
      runFor: '20m',
      submit: { tls: 'opportunistic', starttlsRejected: 'defer', retry: ['10m'] },
      hops: [{ id: 'mx', inbound }],
    });
    const wire = run.wire('client->mx');
    expect(wire).toHaveLength(3);
    expect(wire.every((w) => verbs(w).join(' ') === 'EHLO STARTTLS QUIT' && !w.plaintextData)).toBe(true);
    const msg = run.report.messages[0];
    expect(msg.outcome).toBe('deferred');
    expect(msg.stoppedAt?.reply.text).toBe(`450 4.7.0 STARTTLS refused: ${reply}`);
    expect(run.report.links[0].verdict).toBe('refused');
    expect(run.report.endToEnd).toBe('held');
  });

  it('mandatory: deferred 4.7.4 quoting the reply, no content on the wire', async () => {
    const run = await runInline({ runFor: '5m', submit: { tls: 'mandatory', retry: ['5m'] }, hops: [{ id: 'mx', inbound }] });
    const wire = run.wire('client->mx');
    expect(wire.every((w) => verbs(w).join(' ') === 'EHLO STARTTLS QUIT' && !w.plaintextData)).toBe(true);
    const msg = run.report.messages[0];
    expect(msg.outcome).toBe('deferred');
    expect(msg.stoppedAt?.reply.enhanced).toBe('4.7.4');
    expect(msg.stoppedAt?.reply.text).toContain(`refused to start TLS: ${reply}`);
    expect(run.report.endToEnd).toBe('held');
  });
});

describe('the front relays everything but STARTTLS untouched', () => {
  it('answers pipelined commands in order: the EHLO reply before the refusal (RFC 2920)', async () => {
    await using hop = await startTestHop({ starttls: 'fake-454' });
    const client = await dial(hop.server.address);
    client.write('EHLO client.mailhop.test\r\nSTARTTLS\r\nNOOP');
    const replies = [await client.readReply('EHLO'), await client.readReply('STARTTLS'), await client.readReply('NOOP')];
    expect(replies.map((r) => r.code), dialog(client)).toEqual([250, 454, 250]);
    expect(replies[0].lines).toContain('STARTTLS');
    await client.quit();
  });

  it('never reads message content as commands: a body line "STARTTLS" arrives intact', async () => {
    const run = await runInline({
      hops: [{ id: 'mx', inbound: { starttls: 'fake-454' } }],
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], body: 'first\nSTARTTLS\n.leading dot\nlast' }],
    });
    expect(run.report.outcome).toBe('delivered');
    expect(run.mailbox[0].raw.toString()).toMatch(/\r\nfirst\r\nSTARTTLS\r\n\.leading dot\r\nlast/);
    const refused = run.events.filter((e) => e.kind === 'refused-command');
    expect(refused).toHaveLength(1);
  });
});
