import { describe, it, expect } from 'vitest';
import { runInline } from '../support/chain.js';

// A hop whose only suites are eNULL (docs/behaviour.md#A-enull, docs/behaviour.md#N-openssl): TLS framing, no encryption.
// The Received header still says ESMTPS; the verdict must not call it encrypted (RFC 7435 §3).

const ENULL_HOP = { id: 'mx', inbound: { tls: { maxVersion: 'TLSv1.2', ciphers: 'eNULL:@SECLEVEL=0' } } } as const;
const ALLOW_ENULL = 'ALL:eNULL:@SECLEVEL=0';

describe('eNULL cipher', () => {
  it('a client that allows it negotiates TLS without encryption: ESMTPS in the header, downgraded in the verdict', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic', tlsCiphers: ALLOW_ENULL }, hops: [ENULL_HOP] });
    const [w] = run.wire('client->mx');
    expect(w.handshake).toBe('established');
    expect(w.tls).toMatchObject({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-NULL-SHA', nullCipher: true });
    const [s] = run.sessions('client->mx');
    expect(s.tls).toMatchObject({ version: 'TLSv1.2', nullCipher: true });
    expect(s.contentSent).toEqual({ encrypted: false });
    // The point of the demo: the receiving hop writes the same keyword as for real encryption.
    const received = run.mailbox[0].raw.toString();
    expect(received).toMatch(/with ESMTPS id/);
    expect(received).toContain('(using TLSv1.2 with cipher TLS_ECDHE_ECDSA_WITH_NULL_SHA (0/0 bits))');
    const link = run.report.messages[0].links[0];
    expect(link.verdict).toBe('downgraded');
    expect(link.crossedInClear).toBe(true);
    expect(link.version).toBeUndefined();
    expect(link.notes).toContain('eNULL cipher TLS_ECDHE_ECDSA_WITH_NULL_SHA: TLS framing without encryption');
    expect(run.report.endToEnd).toBe('broken');
  });

  it('a default client offers no eNULL suite: the handshake fails and it reconnects in plaintext', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic' }, hops: [ENULL_HOP] });
    const wire = run.wire('client->mx');
    expect(wire.map((w) => w.handshake)).toEqual(['failed', 'none']);
    expect(run.sessions('client->mx')[0].tlsFailure?.detail).toMatch(/HANDSHAKE_FAILURE|handshake failure/i);
    expect(run.report.links[0].verdict).toBe('downgraded');
  });

  it('mandatory that accepts eNULL sends the content in clear where TLS was required: a leak, whatever expect says', async () => {
    const run = await runInline({ submit: { tls: 'mandatory', tlsCiphers: ALLOW_ENULL }, hops: [ENULL_HOP], expect: { outcome: 'delivered' } });
    expect(run.report.outcome).toBe('delivered');
    expect(run.report.endToEnd).toBe('leak');
    expect(run.report.passed).toBe(false);
    expect(run.report.failures).toContain('m1 leaked on client->mx: content crossed in clear where the policy in force required TLS');
  });

  it('a preserve-inbound gateway counts mail that arrived over eNULL as plaintext inbound', async () => {
    const run = await runInline({
      hops: [
        { id: 'sender', outbound: { tls: 'opportunistic', tlsCiphers: ALLOW_ENULL } },
        { id: 'gateway', inbound: ENULL_HOP.inbound, outbound: { tls: 'preserve-inbound', preserve: 'strict' } },
        { id: 'mailbox' },
      ],
    });
    expect(run.events).toContainEqual(expect.objectContaining({ kind: 'queued', hop: 'gateway', inboundTls: null }));
    expect(run.sessions('gateway->mailbox')[0].policy).toBe('none');
    // The gateway did not try STARTTLS on mail that arrived over eNULL: its choice, so `plain`.
    expect(run.report.links.map((l) => l.verdict)).toEqual(['tls', 'downgraded', 'plain']);
    expect(run.report.messages[0].links[2].notes).toEqual(['attempt 1: STARTTLS offered by mailbox; not used: preserve-inbound strict, the message arrived at gateway in plaintext']);
  });
});
