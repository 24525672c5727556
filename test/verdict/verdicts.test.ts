import { describe, it, expect } from 'vitest';
import { judgeMessageLink, type MessageLinkVerdict } from '../../harness/verdict/link-verdict.js';
import { endToEndVerdict } from '../../harness/verdict/end-to-end.js';
import { checkAccounting } from '../../harness/verdict/accounting.js';
import type { SessionEvent, TraceEvent, WireEvent, AcceptedEvent } from '../../harness/trace/events.js';
import type { WireRecord } from '../../harness/link/wire-record.js';

// The verdict layer is a pure function of the trace; these traces are built by hand to reach
// states an honest mock chain never produces (a leak, lying witnesses).
const LINK = 'gateway->mailbox';
let seq = 0;

function session(over: Partial<SessionEvent> = {}): SessionEvent {
  return {
    kind: 'session', source: 'sender', seq: ++seq, at: 0, link: LINK, hop: 'gateway', messageId: 'm1', attempt: 1, connection: 1,
    localPort: 40000, policy: 'opportunistic', requiresTls: false, plaintextRetry: false, starttlsAdvertised: true, starttlsSent: true,
    starttlsReply: { code: 220, text: '220 Ready' },
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verified: false, verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT', nullCipher: false },
    contentSent: { encrypted: true }, result: 'relayed', reply: { code: 250, text: '250 Ok' }, transcript: [], ...over,
  };
}

function wire(over: Partial<WireRecord> = {}): WireEvent {
  const record: WireRecord = {
    id: `${LINK}#1`, link: LINK, seq: 1, clientPort: 40000, openedAt: 0, ehlo: ['STARTTLS'], starttlsAdvertised: true, starttlsSent: true,
    implicitTls: false, handshake: 'established', commands: [], replies: [], plaintextData: false, plaintextMessageIds: [], plaintextDataBytes: 0,
    bytes: { fromClient: 0, fromServer: 0 }, transcript: [], dropped: 0, faults: [], ...over,
  };
  return { kind: 'wire', source: 'wire', seq: ++seq, at: 0, link: LINK, record };
}

function accepted(secure: boolean): AcceptedEvent {
  return { kind: 'accepted', source: 'receiver', seq: ++seq, at: 0, link: LINK, hop: 'mailbox', messageId: 'm1', secure, tls: null, protocol: secure ? 'ESMTPS' : 'ESMTP', remotePort: 1 };
}

describe('link verdict', () => {
  it('content in clear under a mandatory policy is a leak, seen by the wire even when the sender claims encryption', () => {
    const events: TraceEvent[] = [
      session({ policy: 'mandatory', requiresTls: true }),
      wire({ handshake: 'none', plaintextData: true, plaintextMessageIds: ['m1'] }),
      accepted(false),
    ];
    const v = judgeMessageLink(LINK, 'm1', events);
    expect(v.leak).toBe(true);
    expect(v.crossedInClear).toBe(true);
    expect(v.disagreement).toMatch(/wire saw message m1 in clear/);
    expect(endToEndVerdict([v], true)).toBe('leak');
  });

  it('a leak stays a leak even if the message was never delivered', () => {
    const v = judgeMessageLink(LINK, 'm1', [session({ policy: 'verify', requiresTls: true, tls: null, contentSent: { encrypted: false }, result: 'deferred' })]);
    expect(v.leak).toBe(true);
    expect(endToEndVerdict([v], false)).toBe('leak');
  });

  it('witnesses that disagree are reported, naming each account', () => {
    const v = judgeMessageLink(LINK, 'm1', [session(), wire({ handshake: 'failed' }), accepted(false)]);
    expect(v.disagreement).toBe('witnesses disagree: sender saw tls, wire saw plain, receiver saw plain');
  });

  it('an eNULL cipher is never called encrypted', () => {
    const v = judgeMessageLink(LINK, 'm1', [
      session({ tls: { version: 'TLSv1.2', cipher: 'NULL-SHA256', verified: true, nullCipher: true }, contentSent: { encrypted: false } }),
    ]);
    expect(v.verdict).toBe('downgraded');
    expect(v.notes.join()).toMatch(/eNULL/);
  });

  it('tls-verified only under a verify policy; otherwise tls', () => {
    const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', verified: true, nullCipher: false };
    expect(judgeMessageLink(LINK, 'm1', [session({ policy: 'verify', requiresTls: true, tls })]).verdict).toBe('tls-verified');
    // A valid certificate an opportunistic client did not insist on does not authenticate the link.
    expect(judgeMessageLink(LINK, 'm1', [session({ tls })]).verdict).toBe('tls');
    expect(judgeMessageLink(LINK, 'm1', [session()]).verdict).toBe('tls');
  });

  it('two TLS sessions where one should be (exported keying material differs, RFC 5705) is reported as interception even without a fault saying so', () => {
    const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', nullCipher: false };
    const sent = session({ tls: { ...tls, verified: true, exporter: 'aa'.repeat(16) } });
    const receiver = (exporter: string): AcceptedEvent => ({ ...accepted(true), tls: { ...tls, exporter }, remotePort: 40000 });

    const split = judgeMessageLink(LINK, 'm1', [sent, wire(), receiver('bb'.repeat(16))]);
    expect(split.verdict).toBe('tls');
    expect(split.disagreement).toMatch(/^the receiver saw a different TLS session from the sender's \(their exported keying material differs, RFC 5705: two TLS sessions, not one\): a party on the link that no scenario fault accounts for ended the sender's/);

    // One session end to end: the same value at both ends, nothing to say.
    expect(judgeMessageLink(LINK, 'm1', [sent, wire(), receiver('aa'.repeat(16))]).disagreement).toBeUndefined();
    // A side that could not export (a TLS-terminating front, an engine) proves nothing either way.
    expect(judgeMessageLink(LINK, 'm1', [sent, wire(), { ...accepted(true), tls, remotePort: 40000 }]).disagreement).toBeUndefined();
  });

  it('a message the receiver accepted twice (the sender timed out after the first): the session is compared with the acceptance on its own connection', () => {
    const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', nullCipher: false };
    const earlier = session({ attempt: 1, localPort: 40001, result: 'deferred', reply: { code: 451, text: '451 4.4.2 no reply to DATA content within 150 ms' }, tls: { ...tls, verified: true, exporter: '11'.repeat(16) } });
    const relayed = session({ attempt: 2, localPort: 40002, tls: { ...tls, verified: true, exporter: '22'.repeat(16) } });
    const receivedOn = (remotePort: number, exporter: string): AcceptedEvent => ({ ...accepted(true), tls: { ...tls, exporter }, remotePort });
    const events: TraceEvent[] = [
      earlier, wire({ clientPort: 40001, upstreamPort: 50001 }), receivedOn(50001, '11'.repeat(16)),
      relayed, wire({ clientPort: 40002, upstreamPort: 50002 }), receivedOn(50002, '22'.repeat(16)),
    ];
    const v = judgeMessageLink(LINK, 'm1', events);
    expect(v.verdict).toBe('tls');
    expect(v.disagreement).toBeUndefined();
    // And a real split on the relaying connection is still seen.
    events[5] = receivedOn(50002, '33'.repeat(16));
    expect(judgeMessageLink(LINK, 'm1', events).disagreement).toMatch(/exported keying material differs/);
  });

  it('no session at all is none; sessions without content are refused', () => {
    expect(judgeMessageLink(LINK, 'm1', []).verdict).toBe('none');
    expect(judgeMessageLink(LINK, 'm1', [session({ tls: null, contentSent: null, result: 'deferred' })]).verdict).toBe('refused');
  });
});

describe('end-to-end verdict', () => {
  const link = (verdict: 'tls' | 'tls-verified' | 'plain', crossedInClear = verdict === 'plain'): MessageLinkVerdict =>
    ({ link: 'x', messageId: 'm1', verdict, sessions: 1, witnesses: {}, crossedInClear, leak: false, notes: [] });

  it('combines links in order', () => {
    expect(endToEndVerdict([link('tls-verified'), link('tls-verified')], true)).toBe('encrypted-verified');
    expect(endToEndVerdict([link('tls-verified'), link('tls')], true)).toBe('encrypted');
    expect(endToEndVerdict([link('tls'), link('plain')], true)).toBe('broken');
    expect(endToEndVerdict([link('tls'), link('plain')], false)).toBe('broken');
    expect(endToEndVerdict([link('tls')], false)).toBe('held');
  });
});

describe('message accounting', () => {
  const q = (hop: string, messageId = 'm1'): TraceEvent => ({ kind: 'queued', source: 'sender', seq: ++seq, at: 0, link: 'x', hop, messageId, inboundTls: null });
  const delivered = (messageId = 'm1'): TraceEvent => ({ kind: 'delivered', source: 'receiver', seq: ++seq, at: 0, link: 'relay->mailbox', hop: 'mailbox', messageId });

  it('a relayed-and-delivered message is accounted for', () => {
    expect(checkAccounting([q('client'), session({ hop: 'client' }), q('relay'), session({ hop: 'relay' }), delivered()], [], 'mailbox')).toEqual([]);
  });

  it('a message accepted by a hop that neither relays, bounces nor holds it is lost', () => {
    expect(checkAccounting([q('client'), session({ hop: 'client' }), q('relay')], [], 'mailbox')).toEqual([
      'm1 was lost at relay: accepted, but neither relayed, delivered, bounced nor held',
    ]);
  });

  it('a held message is accounted for; a duplicate delivery is not', () => {
    expect(checkAccounting([q('client'), session({ hop: 'client' }), q('relay')], [{ messageId: 'm1', hop: 'relay' }], 'mailbox')).toEqual([]);
    expect(checkAccounting([q('relay'), session({ hop: 'relay' }), delivered(), delivered()], [], 'mailbox')).toEqual([
      'm1 was accepted 2 times by mailbox (duplicate)',
      'm1 ended 2 times at mailbox (delivered, delivered)',
      'm1 was delivered 2 times to mailbox',
    ]);
  });
});

describe('content in clear on an earlier attempt', () => {
  it('keeps the link plaintext and the message broken even when a later TLS session relayed it', () => {
    // Attempt 1 sent the content in clear (its 250 was lost, so it was deferred); attempt 2 relayed over TLS.
    const events: TraceEvent[] = [
      session({ attempt: 1, localPort: 40001, tls: null, contentSent: { encrypted: false }, result: 'deferred', reply: { code: 451, text: '451 4.4.2 timeout' } }),
      wire({ clientPort: 40001, handshake: 'none', plaintextData: true, plaintextMessageIds: ['m1'] }),
      session({ attempt: 2, localPort: 40002 }),
      wire({ clientPort: 40002 }),
    ];
    const v = judgeMessageLink(LINK, 'm1', events);
    expect(v.crossedInClear).toBe(true);
    expect(v.verdict).toBe('downgraded');
    expect(endToEndVerdict([v], true)).toBe('broken');
  });
});
