import { describe, it, expect } from 'vitest';
import { runInline, verbs } from '../support/chain.js';

const TLS10_ONLY = { starttls: 'offer', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } } as const;

// Outbound policies and fallback flavours (docs/behaviour.md#B-policies), asserted on what crossed the wire.
describe('outbound policies', () => {
  it('none never sends STARTTLS even when offered: plain (the sender\'s choice, not a downgrade), content seen in clear', async () => {
    const run = await runInline({ submit: { tls: 'none' }, hops: [{ id: 'mx' }] });
    const [w] = run.wire('client->mx');
    expect(w.starttlsAdvertised).toBe(true);
    expect(verbs(w)).not.toContain('STARTTLS');
    expect(w.plaintextMessageIds).toEqual(['m1']);
    expect(run.report.links[0].verdict).toBe('plain');
    expect(run.report.messages[0].links[0].notes).toEqual(['attempt 1: STARTTLS offered by mx; not used: tls: none']);
  });

  it('opportunistic + fallback reconnect: failed handshake, then a new plaintext connection at once', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic', fallback: 'reconnect' }, hops: [{ id: 'mx', inbound: TLS10_ONLY }] });
    const wire = run.wire('client->mx');
    expect(wire).toHaveLength(2);
    expect(wire[0].handshake).toBe('failed');
    expect(wire[0].plaintextData).toBe(false);
    expect(verbs(wire[1])).not.toContain('STARTTLS');
    expect(wire[1].plaintextMessageIds).toEqual(['m1']);
    const sessions = run.sessions('client->mx');
    expect(sessions.map((s) => [s.attempt, s.connection, s.result])).toEqual([[1, 1, 'fallback'], [1, 2, 'relayed']]);
    expect(sessions[0].tlsFailure?.type).toBe('handshake-failure');
    expect(run.report.links[0].verdict).toBe('downgraded');
    expect(run.mailbox[0].at).toBe(0);
  });

  it('opportunistic + fallback next-attempt: defers, then plaintext only once the message is 5 minutes old', async () => {
    const run = await runInline({
      submit: { tls: 'opportunistic', fallback: 'next-attempt', fallbackAfter: '5m', retry: ['5m'] },
      hops: [{ id: 'mx', inbound: TLS10_ONLY }],
    });
    const sessions = run.sessions('client->mx');
    expect(sessions.map((s) => [s.attempt, s.connection, s.result, s.at])).toEqual([
      [1, 1, 'deferred', 0],
      [2, 1, 'fallback', 300_000],
      [2, 2, 'relayed', 300_000],
    ]);
    expect(run.wire('client->mx').filter((w) => w.plaintextData)).toHaveLength(1);
    expect(run.mailbox[0].at).toBe(300_000);
  });

  it('opportunistic + fallback never: defers on every attempt and never sends content', async () => {
    const run = await runInline({
      runFor: '1h',
      submit: { tls: 'opportunistic', fallback: 'never', retry: ['10m'] },
      hops: [{ id: 'mx', inbound: TLS10_ONLY }],
    });
    const wire = run.wire('client->mx');
    expect(wire.length).toBeGreaterThanOrEqual(6);
    expect(wire.every((w) => !w.plaintextData && w.handshake === 'failed')).toBe(true);
    expect(run.report.messages[0].outcome).toBe('deferred');
    expect(run.report.endToEnd).toBe('held');
  });

  it('mandatory towards no STARTTLS: EHLO then QUIT on every attempt, deferred 4.7.4, bounce with DSN at maxAge', async () => {
    const run = await runInline({
      runFor: '3h',
      submit: { tls: 'mandatory', retry: ['30m'], maxAge: '2h' },
      hops: [{ id: 'mx', inbound: { starttls: 'none' } }],
    });
    const wire = run.wire('client->mx');
    expect(wire.length).toBe(5); // 0, 30m, 60m, 90m, 120m
    expect(wire.every((w) => verbs(w).join(' ') === 'EHLO QUIT')).toBe(true);
    const msg = run.report.messages[0];
    expect(msg.outcome).toBe('rejected');
    expect(msg.stoppedAt?.reply.enhanced).toBe('5.4.7');
    expect(run.dsns).toEqual([expect.objectContaining({ to: 'alice@org.test', hop: 'client' })]);
    expect(run.report.endToEnd).toBe('held');
  });

  it('mandatory on a relay hop bounces at maxAge with a DSN to the envelope sender', async () => {
    const run = await runInline({
      runFor: '3h',
      hops: [{ id: 'relay', outbound: { tls: 'mandatory', retry: ['1h'], maxAge: '2h' } }, { id: 'mx', inbound: { starttls: 'none' } }],
    });
    expect(run.report.messages[0].outcome).toBe('bounced');
    expect(run.dsns[0]).toMatchObject({ hop: 'relay', to: 'alice@org.test', reply: { enhanced: '5.4.7' } });
    expect(run.wire('relay->mx').some((w) => w.plaintextData)).toBe(false);
  });

  it('mandatory accepts an untrusted certificate (encrypts without checking)', async () => {
    const run = await runInline({ submit: { tls: 'mandatory' }, hops: [{ id: 'mx', inbound: { cert: 'untrusted-ca' } }] });
    expect(run.report.links[0].verdict).toBe('tls');
    expect(run.report.outcome).toBe('delivered');
  });

  it.each([
    ['self-signed', 'certificate-not-trusted'],
    ['untrusted-ca', 'certificate-not-trusted'],
    ['expired', 'certificate-expired'],
    ['wrong-host', 'certificate-host-mismatch'],
    ['not-yet-valid', 'validation-failure'],
  ] as const)('verify against a %s certificate: QUIT after the handshake, deferred, RFC 8460 %s', async (cert, type) => {
    const run = await runInline({ submit: { tls: 'verify' }, hops: [{ id: 'mx', inbound: { cert } }] });
    const [s] = run.sessions('client->mx');
    expect(s.tlsFailure?.type).toBe(type);
    expect(s.contentSent).toBeNull();
    expect(run.wire('client->mx')[0].plaintextData).toBe(false);
    expect(run.report.links[0].verdict).toBe('refused');
    expect(run.report.endToEnd).toBe('held');
  });

  it('verify towards no STARTTLS defers without sending content', async () => {
    const run = await runInline({ submit: { tls: 'verify' }, hops: [{ id: 'mx', inbound: { starttls: 'hidden' } }] });
    expect(run.sessions('client->mx')[0].tlsFailure?.type).toBe('starttls-not-supported');
    expect(run.wire('client->mx')[0].plaintextData).toBe(false);
  });
});

describe('preserve-inbound (MessageLabs) keeps the inbound TLS fact per message', () => {
  const chain = (sendmailTls: 'none' | 'opportunistic', outbound: Record<string, unknown>, mailbox: Record<string, unknown> = {}) =>
    runInline({ hops: [{ id: 'sendmail', outbound: { tls: sendmailTls } }, { id: 'gateway', outbound: { tls: 'preserve-inbound', ...outbound } }, { id: 'mailbox', inbound: mailbox }] });

  it('strict, inbound TLS: STARTTLS towards the mailbox', async () => {
    const run = await chain('opportunistic', { preserve: 'strict' });
    expect(run.wire('gateway->mailbox')[0].handshake).toBe('established');
    expect(run.report.endToEnd).toBe('encrypted');
  });

  it('strict, inbound plaintext: no STARTTLS although the mailbox advertises it', async () => {
    const run = await chain('none', { preserve: 'strict' });
    const [w] = run.wire('gateway->mailbox');
    expect(w.starttlsAdvertised).toBe(true);
    expect(w.starttlsSent).toBe(false);
    expect(w.plaintextMessageIds).toEqual(['m1']);
    expect(run.sessions('gateway->mailbox')[0].policy).toBe('none');
    expect(run.report.endToEnd).toBe('broken');
  });

  it('always-try, inbound plaintext: STARTTLS towards the mailbox anyway', async () => {
    const run = await chain('none', { preserve: 'always-try' });
    expect(run.wire('gateway->mailbox')[0].handshake).toBe('established');
  });

  it('mandatory, inbound TLS, mailbox without STARTTLS: held, never in clear', async () => {
    const run = await chain('opportunistic', { preserve: 'mandatory' }, { starttls: 'none' });
    expect(run.sessions('gateway->mailbox')[0].policy).toBe('mandatory');
    expect(run.wire('gateway->mailbox').some((w) => w.plaintextData)).toBe(false);
    expect(run.report.endToEnd).toBe('held');
  });

  it('mandatory, inbound plaintext: delivered without STARTTLS', async () => {
    const run = await chain('none', { preserve: 'mandatory' }, { starttls: 'none' });
    expect(run.sessions('gateway->mailbox')[0].policy).toBe('none');
    expect(run.report.outcome).toBe('delivered');
  });

  it('enforce list applies per recipient domain, whatever the inbound leg did', async () => {
    const run = await runInline({
      hops: [{ id: 'sendmail', outbound: { tls: 'none' } }, { id: 'gateway', outbound: { tls: 'preserve-inbound', enforce: ['partner.test'] } }, { id: 'mailbox' }],
      messages: [
        { from: 'alice@org.test', to: ['bob@partner.test'] },
        { from: 'alice@org.test', to: ['carol@other.test'] },
      ],
    });
    const policies = Object.fromEntries(run.sessions('gateway->mailbox').map((s) => [s.messageId, s.policy]));
    expect(policies).toEqual({ m1: 'mandatory', m2: 'none' });
  });
});
