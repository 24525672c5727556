/**
 * A busy link reuses the sender's ports within seconds (1,500 messages at 20 a second through 3 hops
 * reused 293 client ports), so a session is tied to its own connection's wire record, not to the first
 * record from the same port: that one was an older connection, and the verdict rested on its facts.
 */
import { describe, expect, it } from 'vitest';
import type { WireFaultEvent, WireRecord } from '../../harness/link/wire-record.js';
import type { SessionEvent, TraceEvent, WireEvent } from '../../harness/trace/events.js';
import { judgeMessageLink } from '../../harness/verdict/link-verdict.js';

const LINK = 'gateway->mailbox';
let seq = 0;
const TLS = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verified: false, nullCipher: false } as const;
const STRIP: WireFaultEvent = { at: 0, fault: 'strip-starttls', dir: 'S', action: 'replace', note: 'removed "250 STARTTLS" from the EHLO reply', effect: 'tls-denied' };

function session(messageId: string, over: Partial<SessionEvent>): SessionEvent {
  return {
    kind: 'session', source: 'sender', seq: ++seq, at: 0, link: LINK, hop: 'gateway', messageId, attempt: 1, connection: 1, localPort: 40000,
    policy: 'opportunistic', requiresTls: false, plaintextRetry: false, starttlsAdvertised: true, starttlsSent: true, tls: TLS,
    contentSent: { encrypted: true }, result: 'relayed', reply: { code: 250, text: '250 Ok' }, transcript: [], ...over,
  };
}

function wire(n: number, over: Partial<WireRecord>): WireEvent {
  const record: WireRecord = {
    id: `${LINK}#${n}`, link: LINK, seq: n, clientPort: 40000, openedAt: 0, ehlo: ['STARTTLS'], starttlsAdvertised: true, starttlsSent: true,
    implicitTls: false, handshake: 'established', commands: [], replies: [], plaintextData: false, plaintextMessageIds: [], plaintextDataBytes: 0,
    bytes: { fromClient: 0, fromServer: 0 }, transcript: [], dropped: 0, faults: [], ...over,
  };
  return { kind: 'wire', source: 'wire', seq: ++seq, at: 0, link: LINK, record };
}

// m2's sender saw no STARTTLS and sent in clear: the wire record of its connection shows the strip.
const m2Session = () => session('m2', { starttlsAdvertised: false, starttlsSent: false, tls: null, contentSent: { encrypted: false } });
const m2Wire = () => wire(2, { ehlo: [], starttlsAdvertised: false, starttlsSent: false, handshake: 'none', plaintextData: true, plaintextMessageIds: ['m2'], faults: [STRIP] });

describe('a session on a reused client port', () => {
  it.each([
    ['its record after it', (): TraceEvent[] => [session('m1', {}), wire(1, {}), m2Session(), m2Wire()]],
    ['its record before it', (): TraceEvent[] => [wire(1, {}), session('m1', {}), m2Wire(), m2Session()]],
  ])('is judged on its own connection, %s', (_, events) => {
    const trace = events();
    const m2 = judgeMessageLink(LINK, 'm2', trace);
    expect(m2.verdict).toBe('stripped');
    expect(m2.witnesses).toEqual({ sender: 'plain', wire: 'plain' });
    expect(m2.faults?.map((f) => f.fault)).toEqual(['strip-starttls']);
    // The older connection on the port keeps its own record too.
    expect(judgeMessageLink(LINK, 'm1', trace)).toMatchObject({ verdict: 'tls', witnesses: { sender: 'tls', wire: 'tls' } });
  });
});
