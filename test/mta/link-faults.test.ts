import { describe, expect, it } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import type { AcceptedEvent } from '../../harness/trace/events.js';

const CHAIN = [{ id: 'sendmail' }, { id: 'gateway' }, { id: 'mailbox' }];

// On-path attackers between honest hops (docs/behaviour.md#attacks), judged from what crossed the wire.
describe('link faults in a chain', () => {
  it('strip-starttls: the opportunistic gateway delivers in clear; the link is stripped and names the fault and attempt', async () => {
    const run = await runInline({ hops: CHAIN, links: [{ from: 'gateway', to: 'mailbox', fault: 'strip-starttls' }] });

    const [wire] = run.wire('gateway->mailbox');
    expect(wire).toMatchObject({ starttlsAdvertised: false, starttlsSent: false, plaintextMessageIds: ['m1'] });
    const link = run.report.links[2];
    expect(link.verdict).toBe('stripped');
    expect(link.notes).toContain('attempt 1: strip-starttls removed "250-STARTTLS" from the EHLO reply');
    expect(run.report.messages[0].links[2].faults).toEqual([expect.objectContaining({ fault: 'strip-starttls', attempt: 1, connection: 1, effect: 'tls-denied' })]);
    expect(run.report.links.slice(0, 2).map((l) => l.verdict)).toEqual(['tls', 'tls']);
    expect(run.report.endToEnd).toBe('broken');
    expect(run.report.outcome).toBe('delivered');
  });

  it('a stripped link under policy none is plain, not stripped: the sender would not have used TLS anyway', async () => {
    const run = await runInline({
      hops: [{ id: 'gateway', outbound: { tls: 'none' } }, { id: 'mailbox' }],
      links: [{ from: 'gateway', to: 'mailbox', fault: 'strip-starttls' }],
    });
    expect(run.report.links[1].verdict).toBe('plain');
  });

  it('kill-handshake on attempt 1 only: Sendmail defers, retries with TLS and gets it; the note names attempt 1', async () => {
    const run = await runInline({
      hops: [{ id: 'sendmail', outbound: { tls: 'opportunistic', fallback: 'never', retry: ['10m'] } }, { id: 'gateway' }],
      links: [{ from: 'sendmail', to: 'gateway', fault: 'kill-handshake', attempts: [1] }],
    });

    const sessions = run.sessions('sendmail->gateway');
    expect(sessions.map((s) => [s.attempt, s.result, s.tlsFailure?.type])).toEqual([[1, 'deferred', 'handshake-failure'], [2, 'relayed', undefined]]);
    expect(run.wire('sendmail->gateway').map((w) => [w.handshake, w.plaintextData])).toEqual([['failed', false], ['established', false]]);
    const link = run.report.links[1];
    expect(link.verdict).toBe('tls');
    expect(link.notes[0]).toBe('attempt 1: kill-handshake closed the connection on the ClientHello');
    expect(link.notes.join('\n')).not.toMatch(/attempt 2: kill-handshake/);
  });

  it('kill-handshake with thenStrip beats Sendmail: the retry finds no STARTTLS and goes out in clear (stripped)', async () => {
    const run = await runInline({
      hops: [{ id: 'sendmail', outbound: { tls: 'opportunistic', fallback: 'never', retry: ['10m'] } }, { id: 'gateway' }],
      links: [{ from: 'sendmail', to: 'gateway', fault: 'kill-handshake', thenStrip: true }],
    });

    const wire = run.wire('sendmail->gateway');
    expect(wire.map((w) => [w.handshake, w.starttlsAdvertised, w.plaintextData])).toEqual([['failed', true, false], ['none', false, true]]);
    expect(run.report.links[1].verdict).toBe('stripped');
    expect(run.report.links[1].notes).toEqual(expect.arrayContaining([
      'attempt 1: kill-handshake closed the connection on the ClientHello',
      'attempt 2: kill-handshake removed "250-STARTTLS" from the EHLO reply',
    ]));
  });

  it('kill-handshake against Exim-style reconnect: the plaintext reconnect is attributed to the fault (stripped)', async () => {
    const run = await runInline({
      submit: { tls: 'opportunistic', fallback: 'reconnect' },
      hops: [{ id: 'mx' }],
      links: [{ from: 'client', to: 'mx', fault: 'kill-handshake', how: 'alert' }],
    });
    expect(run.sessions('client->mx').map((s) => [s.connection, s.result, s.plaintextRetry])).toEqual([[1, 'fallback', false], [2, 'relayed', true]]);
    expect(run.wire('client->mx')[0]).toMatchObject({ handshake: 'failed', alert: { from: 'server', description: 'handshake_failure' } });
    expect(run.report.links[0].verdict).toBe('stripped');
  });

  it('intercept: opportunistic delivers over TLS, the link stays tls, and the report says the sessions differ', async () => {
    const run = await runInline({ hops: [{ id: 'relay' }, { id: 'mx' }], links: [{ from: 'relay', to: 'mx', fault: 'intercept' }] });

    const [session] = run.sessions('relay->mx');
    expect(session.tls).toMatchObject({ verified: false, verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(run.wire('relay->mx')[0]).toMatchObject({ handshake: 'established', plaintextData: false });
    const link = run.report.links[1];
    expect(link.verdict).toBe('tls');
    // The sender and the receiver each hold a session of their own with the interceptor: different exported keying material.
    const [received] = run.events.filter((e) => e.kind === 'accepted' && e.link === 'relay->mx') as AcceptedEvent[];
    expect(session.tls?.exporter).toMatch(/^[0-9a-f]{32}$/);
    expect(received.tls?.exporter).toMatch(/^[0-9a-f]{32}$/);
    expect(session.tls?.exporter).not.toBe(received.tls?.exporter);
    expect(link.disagreement).toMatch(/^the receiver saw a different TLS session from the sender's \(their exported keying material differs, RFC 5705: two TLS sessions, not one\): intercept on the link ended the sender's \(TLSv1\.3 .*peer certificate the attacker's, not verified: UNABLE_TO_VERIFY_LEAF_SIGNATURE\) and opened its own to the receiver \(TLSv1\.3 .*\); the content was in clear in between$/);
    expect(link.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^attempt 1: intercept .*ended the client's TLS with an attacker certificate \(CN=mx\.mailhop\.test, issuer mailhop foreign CA\)/)]));
    expect(run.report.outcome).toBe('delivered');
  });

  it('without a fault, sender and receiver hold one TLS session: the same exported keying material at both ends', async () => {
    const run = await runInline({ hops: [{ id: 'relay' }, { id: 'mx' }] });
    for (const link of ['client->relay', 'relay->mx']) {
      const [session] = run.sessions(link);
      const [received] = run.events.filter((e) => e.kind === 'accepted' && e.link === link) as AcceptedEvent[];
      expect(session.tls?.exporter).toMatch(/^[0-9a-f]{32}$/);
      expect(received.tls?.exporter).toBe(session.tls?.exporter);
    }
    expect(run.report.links.map((l) => l.disagreement)).toEqual([undefined, undefined]);
  });

  it('intercept: a verify client refuses the attacker certificate on every attempt and never sends the content', async () => {
    const run = await runInline({
      runFor: '30m',
      hops: [{ id: 'relay', outbound: { tls: 'verify', retry: ['10m'] } }, { id: 'mx' }],
      links: [{ from: 'relay', to: 'mx', fault: 'intercept' }],
    });
    const sessions = run.sessions('relay->mx');
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    expect(sessions.every((s) => s.tlsFailure?.type === 'certificate-not-trusted' && s.contentSent === null)).toBe(true);
    expect(run.report.links[1].verdict).toBe('refused');
    expect(run.report.links[1].disagreement).toBeUndefined();
  });

  it('inject-command: the honest hop ignores MAIL FROM:<attacker@evil.test> sent with STARTTLS; replies stay in step', async () => {
    const run = await runInline({
      hops: [{ id: 'relay' }, { id: 'mx' }],
      links: [{ from: 'relay', to: 'mx', fault: 'inject-command', commands: ['MAIL FROM:<attacker@evil.test>', 'RCPT TO:<victim@evil.test>'] }],
    });

    expect(run.mailbox).toHaveLength(1);
    expect(run.mailbox[0]).toMatchObject({ from: 'alice@org.test', to: ['bob@partner.test'] });
    // After the handshake the first reply the sender reads answers its own EHLO, not an injected command.
    const transcript = run.sessions('relay->mx')[0].transcript.map((l) => `${l.dir}: ${l.text}`);
    const afterTls = transcript.slice(transcript.findIndex((l) => l.startsWith('*: TLS established')) + 1);
    expect(afterTls.slice(0, 2)).toEqual(['C: EHLO relay.mailhop.test', 'S: 250-mx.mailhop.test Nice to meet you, [127.0.0.1]']);
    expect(afterTls).toContain('C: MAIL FROM:<alice@org.test>');
    expect(afterTls.filter((l) => /^S: [45]\d\d/.test(l))).toEqual([]);
    expect(run.report.links[1]).toMatchObject({ verdict: 'tls', notes: ['attempt 1: inject-command appended MAIL FROM:<attacker@evil.test>, RCPT TO:<victim@evil.test> to STARTTLS in one segment'] });
  });

  it("inject-response: mailhop's client discards what came with the 220 (RFC 3207 §4.2) and reads the real post-TLS EHLO reply", async () => {
    const run = await runInline({
      hops: [{ id: 'relay' }, { id: 'mx' }],
      links: [{ from: 'relay', to: 'mx', fault: 'inject-response', lines: ['250-evil.mailhop.test', '250 AUTH PLAIN'] }],
    });

    const [session] = run.sessions('relay->mx');
    const transcript = session.transcript.map((l) => `${l.dir}: ${l.text}`);
    expect(transcript.join('\n')).not.toContain('evil');
    const afterTls = transcript.slice(transcript.findIndex((l) => l.startsWith('*: TLS established')) + 1);
    expect(afterTls.slice(0, 2)).toEqual(['C: EHLO relay.mailhop.test', 'S: 250-mx.mailhop.test Nice to meet you, [127.0.0.1]']);
    expect(run.wire('relay->mx')[0].transcript).toContainEqual({ dir: 'S', text: '[server sent bytes before the ClientHello: 250-evil.mailhop.test..250 AUTH PLAIN..]' });
    expect(run.report.links[1].verdict).toBe('tls');
    expect(run.report.outcome).toBe('delivered');
  });

  it('reset after DATA on attempt 1: the sender defers, the retry delivers; the server never saw DATA the first time', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { tls: 'opportunistic', retry: ['5m'] } }, { id: 'mx', inbound: { starttls: 'none' } }],
      links: [{ from: 'relay', to: 'mx', fault: 'reset', after: 'DATA', attempts: [1] }],
    });
    const wire = run.wire('relay->mx');
    expect(verbs(wire[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA']);
    expect(wire[0]).toMatchObject({ closedBy: 'proxy', plaintextData: false });
    expect(run.sessions('relay->mx').map((s) => [s.attempt, s.result, s.reply.enhanced])).toEqual([[1, 'deferred', '4.4.1'], [2, 'relayed', '2.6.0']]);
    expect(run.mailbox[0].at).toBe(300_000);
    expect(run.report.links[1].verdict).toBe('plain');
  });

  it('delay longer than the client timeout: every attempt times out (4.4.2); shorter: delivered over TLS', async () => {
    const slow = await runInline({
      runFor: '20m',
      submit: { tls: 'opportunistic', timeout: '100ms', retry: ['10m'] },
      hops: [{ id: 'mx' }],
      links: [{ from: 'client', to: 'mx', fault: 'delay', ms: '150ms' }],
    });
    expect(slow.sessions('client->mx').map((s) => s.reply.enhanced)).toEqual(['4.4.2', '4.4.2', '4.4.2']);
    const fine = await runInline({ hops: [{ id: 'mx' }], links: [{ from: 'client', to: 'mx', fault: 'delay', ms: '20ms' }] });
    expect(fine.report.links[0].verdict).toBe('tls');
  });
});
