import { describe, it, expect } from 'vitest';
import { runInline, verbs } from '../support/chain.js';

// Each inbound STARTTLS mode of a hop (RFC 3207; docs/behaviour.md#servers), seen from the wire
// and from the receiving hop.
describe('inbound STARTTLS modes', () => {
  it('offer: STARTTLS advertised, answered 220, TLS 1.3 established, no plaintext content', async () => {
    const run = await runInline({ hops: [{ id: 'mx', inbound: { starttls: 'offer' } }] });
    const [w] = run.wire('client->mx');
    expect(w.starttlsAdvertised).toBe(true);
    expect(w.starttlsReply?.code).toBe(220);
    expect(w.handshake).toBe('established');
    expect(w.tls?.version).toBe('TLSv1.3');
    expect(w.plaintextData).toBe(false);
    expect(verbs(w)).toEqual(['EHLO', 'STARTTLS']);
    expect(run.mailbox[0].raw.toString()).toMatch(/with ESMTPS id/);
    expect(run.report.links[0].verdict).toBe('tls');
  });

  it('none: not advertised, STARTTLS refused, message crosses in plaintext and the wire saw it', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic' }, hops: [{ id: 'mx', inbound: { starttls: 'none' } }] });
    const [w] = run.wire('client->mx');
    expect(w.starttlsAdvertised).toBe(false);
    expect(w.starttlsSent).toBe(false);
    expect(w.plaintextMessageIds).toEqual(['m1']);
    expect(run.mailbox[0].raw.toString()).toMatch(/with ESMTP id/);
    expect(run.report.links[0].verdict).toBe('plain');
  });

  it('none: a mandatory client sees no STARTTLS, quits after EHLO and defers with 4.7.4', async () => {
    const run = await runInline({ submit: { tls: 'mandatory' }, hops: [{ id: 'mx', inbound: { starttls: 'none' } }] });
    const [w] = run.wire('client->mx');
    expect(verbs(w)).toEqual(['EHLO', 'QUIT']);
    expect(run.report.messages[0].outcome).toBe('deferred');
    expect(run.report.messages[0].stoppedAt?.reply.enhanced).toBe('4.7.4');
  });

  it('require: MAIL before STARTTLS gets 530 5.7.0; the message is rejected and never crossed', async () => {
    const run = await runInline({ submit: { tls: 'none' }, hops: [{ id: 'mx', inbound: { starttls: 'require' } }] });
    const [w] = run.wire('client->mx');
    expect(w.replies.some((r) => r.startsWith('530 5.7.0'))).toBe(true);
    expect(w.plaintextData).toBe(false);
    expect(run.report.messages[0].outcome).toBe('rejected');
    expect(run.report.endToEnd).toBe('held');
  });

  it('require: an opportunistic client upgrades and is accepted', async () => {
    const run = await runInline({ hops: [{ id: 'mx', inbound: { starttls: 'require' } }] });
    expect(run.report.outcome).toBe('delivered');
    expect(run.wire('client->mx')[0].handshake).toBe('established');
  });

  it('hidden: not advertised, so an opportunistic client stays in plaintext', async () => {
    const run = await runInline({ hops: [{ id: 'mx', inbound: { starttls: 'hidden' } }] });
    const [w] = run.wire('client->mx');
    expect(w.starttlsAdvertised).toBe(false);
    expect(w.plaintextMessageIds).toEqual(['m1']);
    expect(run.report.links[0].verdict).toBe('plain');
  });

  it('implicit: TLS from the first byte, no plaintext SMTP on the wire at all', async () => {
    const run = await runInline({ hops: [{ id: 'mx', inbound: { starttls: 'implicit' } }] });
    const [w] = run.wire('client->mx');
    expect(w.implicitTls).toBe(true);
    expect(w.commands).toEqual([]);
    expect(run.report.links[0].verdict).toBe('tls');
  });

  it('TLS 1.2-only hop: the wire reads TLSv1.2 from the ServerHello, and all witnesses agree', async () => {
    const run = await runInline({ hops: [{ id: 'mx', inbound: { tls: { maxVersion: 'TLSv1.2' } } }] });
    const [w] = run.wire('client->mx');
    expect(w.tls?.version).toBe('TLSv1.2');
    expect(run.report.links[0].version).toBe('TLSv1.2');
    expect(run.report.links[0].witnesses).toEqual({ sender: 'tls', wire: 'tls', receiver: 'tls' });
    expect(run.report.links[0].disagreement).toBeUndefined();
  });

  it.each(['self-signed', 'expired', 'not-yet-valid', 'wrong-host', 'untrusted-ca'] as const)(
    'cert %s: an opportunistic client still encrypts, unverified',
    async (cert) => {
      const run = await runInline({ hops: [{ id: 'mx', inbound: { cert } }] });
      const [s] = run.sessions('client->mx');
      expect(s.tls?.verified).toBe(false);
      expect(s.tls?.verifyError).toBeTruthy();
      expect(run.report.links[0].verdict).toBe('tls');
    },
  );

  it('cert valid: a verify client gets tls-verified', async () => {
    const run = await runInline({ submit: { tls: 'verify' }, hops: [{ id: 'mx' }] });
    expect(run.sessions('client->mx')[0].tls?.verified).toBe(true);
    expect(run.report.links[0].verdict).toBe('tls-verified');
    expect(run.report.endToEnd).toBe('encrypted-verified');
  });
});
