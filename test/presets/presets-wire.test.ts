import { describe, expect, it } from 'vitest';
import { runInline, verbs, type InlineRun } from '../support/chain.js';
import type { PresetKey } from '../../harness/presets/index.js';

// What crossed the wire per preset (docs/behaviour.md#products), on the link from a hop with the
// preset to a mailbox that misbehaves. The client submits over TLS, so preserve-inbound presets try TLS too.

const FAKE_454 = { starttls: 'fake-454' } as const;
const BREAK_CLOSE = { starttls: 'break-handshake', how: 'close' } as const;

function chain(preset: PresetKey, mailbox: object, more: object = {}) {
  return runInline({ runFor: '1h', hops: [{ id: 'relay', preset, ...more }, { id: 'mailbox', inbound: mailbox }] });
}

/** Per sender session on relay->mailbox: attempt, connection, virtual ms, result. */
const sessionsOf = (run: InlineRun) => run.sessions('relay->mailbox').map((s) => [s.attempt, s.connection, s.at, s.result]);

/** The virtual time of the session that opened each wire connection carrying message content in clear. */
function plaintextAt(run: InlineRun): number[] {
  const sessions = run.sessions('relay->mailbox');
  return run.wire('relay->mailbox').filter((w) => w.plaintextData).map((w) => sessions.find((s) => s.localPort === w.clientPort)!.at);
}

describe('presets on the wire', () => {
  it('postfix, failed handshake: the first attempt defers; plaintext only on a new connection at 5 minutes', async () => {
    const run = await chain('postfix', BREAK_CLOSE);
    expect(sessionsOf(run)).toEqual([[1, 1, 0, 'deferred'], [2, 1, 300_000, 'fallback'], [2, 2, 300_000, 'relayed']]);
    expect(run.sessions('relay->mailbox')[0].reply.text).toBe('451 4.7.5 Cannot start TLS: handshake failure');
    const wire = run.wire('relay->mailbox');
    expect(wire.map((w) => w.handshake)).toEqual(['failed', 'failed', 'none']);
    expect(plaintextAt(run)).toEqual([300_000]);
    expect(run.mailbox[0].at).toBeGreaterThanOrEqual(300_000);
  });

  it('postfix, 454: MAIL FROM right after the 454 on the same connection, no second EHLO', async () => {
    const run = await chain('postfix', FAKE_454);
    const [w] = run.wire('relay->mailbox');
    expect(verbs(w)).toEqual(['EHLO', 'STARTTLS', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(w.plaintextMessageIds).toEqual(['m1']);
  });

  it('postfix-encrypt, 454: deferred with the server\'s reply quoted, never any content', async () => {
    const run = await chain('postfix-encrypt', FAKE_454);
    expect(run.wire('relay->mailbox').every((w) => !w.plaintextData && !verbs(w).includes('MAIL'))).toBe(true);
    expect(run.sessions('relay->mailbox')[0].reply).toEqual({
      code: 454, enhanced: '4.7.0',
      text: '454 4.7.0 TLS is required, but host mailbox.mailhop.test[127.0.0.1] refused to start TLS: 454 4.7.0 TLS not available due to temporary reason',
    });
    expect(run.report.outcome).toBe('deferred');
  });

  it('postfix-encrypt, 554: bounced at once with 5.7.0 and a DSN to the sender; one session, STARTTLS then QUIT', async () => {
    // Observed with Postfix 3.7.11 at level encrypt: `dsn=5.7.0, status=bounced (TLS is required, but host ... refused to start TLS: 554 5.7.0 ...)`.
    const run = await chain('postfix-encrypt', { starttls: 'fake-reply', starttlsReply: '554 5.7.0 TLS not available' });
    expect(run.wire('relay->mailbox').map((w) => verbs(w).join(' '))).toEqual(['EHLO STARTTLS QUIT']);
    expect(sessionsOf(run)).toEqual([[1, 1, 0, 'bounced']]);
    expect(run.sessions('relay->mailbox')[0].reply).toEqual({
      code: 554, enhanced: '5.7.0',
      text: '554 5.7.0 TLS is required, but host mailbox.mailhop.test[127.0.0.1] refused to start TLS: 554 5.7.0 TLS not available',
    });
    expect(run.report.outcome).toBe('bounced');
    expect(run.report.endToEnd).toBe('held');
    expect(run.dsns.map((d) => [d.hop, d.to, d.reply.code, d.reply.enhanced])).toEqual([['relay', 'alice@org.test', 554, '5.7.0']]);
  });

  it('sendmail, failed handshake: 454 4.7.0 on every attempt, never plaintext', async () => {
    const run = await chain('sendmail', BREAK_CLOSE);
    const wire = run.wire('relay->mailbox');
    expect(wire.length).toBeGreaterThanOrEqual(4);
    expect(wire.every((w) => w.handshake === 'failed' && !w.plaintextData)).toBe(true);
    expect(new Set(run.sessions('relay->mailbox').map((s) => s.reply.text))).toEqual(new Set(['454 4.7.0 TLS handshake failed.']));
    expect(run.report.endToEnd).toBe('held');
  });

  it.each([
    ['sendmail-fallback', '454 4.7.0 TLS handshake failed.'],
    ['exim', /^451 4\.7\.5 TLS session: \(gnutls_handshake\): .*: delivering unencrypted to H=mailbox\.mailhop\.test \[127\.0\.0\.1\] \(not in hosts_require_tls\)$/],
    ['opensmtpd', '451 4.7.5 opportunistic TLS failed, downgrading to plain'],
  ] as const)('%s, failed handshake: a new plaintext connection at once, in the same attempt', async (preset, text) => {
    const run = await chain(preset, BREAK_CLOSE);
    expect(sessionsOf(run)).toEqual([[1, 1, 0, 'fallback'], [1, 2, 0, 'relayed']]);
    expect(run.sessions('relay->mailbox')[0].reply.text).toMatch(typeof text === 'string' ? new RegExp(`^${text.replace(/[.()[\]]/g, '\\$&')}$`) : text);
    const wire = run.wire('relay->mailbox');
    expect(wire.map((w) => [w.handshake, w.plaintextData])).toEqual([['failed', false], ['none', true]]);
    expect(verbs(wire[1])).not.toContain('STARTTLS');
    expect(plaintextAt(run)).toEqual([0]);
  });

  it('exim retries every 15 minutes (its default retry rule F,2h,15m)', async () => {
    const run = await chain('exim', FAKE_454, { outbound: { tls: 'mandatory' } });
    expect(run.sessions('relay->mailbox').slice(0, 3).map((s) => s.at)).toEqual([0, 900_000, 1_800_000]);
    expect(run.sessions('relay->mailbox')[0].reply.text).toBe('451 4.7.0 a TLS session is required, but an attempt to start TLS failed');
  });

  it('nodemailer-default, 454: ETLS, deferred; STARTTLS then QUIT, no MAIL', async () => {
    const run = await chain('nodemailer-default', FAKE_454);
    const wire = run.wire('relay->mailbox');
    expect(verbs(wire[0])).toEqual(['EHLO', 'STARTTLS', 'QUIT']);
    expect(wire.every((w) => !w.plaintextData)).toBe(true);
    expect(run.sessions('relay->mailbox')[0].reply.text).toBe(
      '450 4.7.0 ETLS Error upgrading connection with STARTTLS: 454 4.7.0 TLS not available due to temporary reason',
    );
    expect(run.report.outcome).toBe('deferred');
  });

  it('nodemailer-opportunistic continues after a 454 but not after a failed handshake', async () => {
    const after454 = await chain('nodemailer-opportunistic', FAKE_454);
    expect(after454.wire('relay->mailbox')[0].plaintextMessageIds).toEqual(['m1']);
    const afterHandshake = await chain('nodemailer-opportunistic', BREAK_CLOSE);
    expect(afterHandshake.wire('relay->mailbox').every((w) => !w.plaintextData)).toBe(true);
    expect(afterHandshake.sessions('relay->mailbox')[0].reply.text).toMatch(/^451 4\.4\.2 ESOCKET /);
  });

  it('postini holds mail that came in over TLS with its psmtp text, and sends mail that came in clear in clear', async () => {
    const held = await chain('postini', FAKE_454);
    expect(held.sessions('relay->mailbox')[0].reply).toEqual({ code: 451, text: '451 Recipient does not support STARTTLS - psmtp' });
    expect(held.wire('relay->mailbox').every((w) => !w.plaintextData)).toBe(true);
    const clear = await runInline({ submit: { tls: 'none' }, hops: [{ id: 'relay', preset: 'postini' }, { id: 'mailbox' }] });
    const [w] = clear.wire('relay->mailbox');
    expect(w.starttlsAdvertised).toBe(true);
    expect(verbs(w)).not.toContain('STARTTLS');
    // Postini chose not to try STARTTLS for mail that came in clear: plain, with the reason in the notes.
    expect(clear.report.links[1].verdict).toBe('plain');
    expect(clear.report.messages[0].links[1].notes).toEqual(['attempt 1: STARTTLS offered by mailbox; not used: preserve-inbound mandatory, the message arrived at relay in plaintext']);
  });

  it('messagelabs does not try STARTTLS for mail that came in clear; messagelabs-boundary requires it for partners', async () => {
    const strict = await runInline({ submit: { tls: 'none' }, hops: [{ id: 'relay', preset: 'messagelabs' }, { id: 'mailbox' }] });
    expect(verbs(strict.wire('relay->mailbox')[0])).not.toContain('STARTTLS');
    const boundary = await runInline({
      submit: { tls: 'none' },
      hops: [{ id: 'relay', preset: 'messagelabs-boundary', outbound: { enforce: ['partner.test'] } }, { id: 'mailbox', inbound: { starttls: 'none' } }],
    });
    expect(boundary.sessions('relay->mailbox')[0]).toMatchObject({ policy: 'mandatory', result: 'deferred' });
    expect(boundary.wire('relay->mailbox').every((w) => !w.plaintextData)).toBe(true);
  });

  it('the same 454 splits the products: who sends the message in clear and who holds it', async () => {
    const presets: PresetKey[] = ['postfix', 'postfix-encrypt', 'sendmail', 'exim', 'opensmtpd', 'nodemailer-default', 'messagelabs', 'postini', 'exchange-online', 'gmail'];
    const runs = await Promise.all(presets.map((p) => chain(p, FAKE_454)));
    const clear = presets.filter((_, i) => runs[i].wire('relay->mailbox').some((w) => w.plaintextData));
    expect(clear).toEqual(['postfix', 'sendmail', 'exim', 'opensmtpd', 'messagelabs', 'exchange-online', 'gmail']);
  });
});
