import { describe, expect, it } from 'vitest';
import type { WireRecord } from '../../harness/link/wire-record.js';
import type { AcceptedEvent, EngineEvent, HopStartedEvent, TraceEvent, WireEvent } from '../../harness/trace/events.js';
import { judgeMessageLink } from '../../harness/verdict/link-verdict.js';

// Several messages in flight through a real engine: how many SMTP sessions each had on the engine's outbound link.
// A connection whose handshake failed carries no message id and nothing was accepted on it; only the engine's log
// names the message it was for. Each message's count is the connections the wire saw for it.
const LINK = 'relay->mx';
let seq = 0;
const next = () => ++seq;

const started = (engine: 'exim' | 'postfix' | 'sendmail'): HopStartedEvent => ({
  kind: 'hop-started', source: 'chain', seq: next(), at: 0, link: 'client->relay', hop: 'relay', hopKind: 'engine', engine,
  outboundLink: LINK, hostname: 'relay.mailhop.test', address: { host: '127.0.0.1', port: 2525 }, policy: 'opportunistic', line: `${engine} listening`,
});

/** The engine accepted the message from the client (so it reached the sending hop). */
const arrived = (messageId: string): AcceptedEvent => ({
  kind: 'accepted', source: 'receiver', seq: next(), at: 0, link: 'client->relay', hop: 'relay', messageId, secure: true, remotePort: 1,
  protocol: 'ESMTPS', tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', nullCipher: false },
});

/** Connection `n` on the link: its handshake failed (`failed`), or `id` crossed in plaintext and mx accepted it. */
function connection(n: number, how: { failed: true } | { id: string }): TraceEvent[] {
  const upstreamPort = 5000 + n;
  const record: WireRecord = {
    id: `${LINK}#${n}`, link: LINK, seq: n, clientPort: 6000 + n, upstreamPort, openedAt: 0, ehlo: [], starttlsAdvertised: true,
    starttlsSent: 'failed' in how, implicitTls: false, handshake: 'failed' in how ? 'failed' : 'none', commands: [], replies: [],
    plaintextData: 'id' in how, plaintextMessageIds: 'id' in how ? [how.id] : [], plaintextDataBytes: 0, bytes: { fromClient: 0, fromServer: 0 },
    transcript: [], dropped: 0, faults: [],
  };
  const wire: WireEvent = { kind: 'wire', source: 'wire', seq: next(), at: 0, link: LINK, record };
  if (!('id' in how)) return [wire];
  const accepted: AcceptedEvent = {
    kind: 'accepted', source: 'receiver', seq: next(), at: 0, link: LINK, hop: 'mx', messageId: how.id, secure: false, remotePort: upstreamPort, protocol: 'ESMTP', tls: null,
  };
  return [accepted, wire];
}

const fact = (engine: EngineEvent['engine'], f: EngineEvent['fact'], messageId?: string): EngineEvent => ({
  kind: 'engine', source: 'engine', seq: next(), at: 0, link: LINK, hop: 'relay', engine, fact: f, ...(messageId ? { messageId } : {}), line: `${f} ${messageId ?? '?'}`,
});

/** Each message's session count on the link, and the notes of the first. */
function counts(events: TraceEvent[], ids: string[]): { sessions: Record<string, number>; untiedNote: boolean } {
  const verdicts = ids.map((id) => judgeMessageLink(LINK, id, events));
  return {
    sessions: Object.fromEntries(verdicts.map((v) => [v.messageId, v.sessions])),
    untiedNote: verdicts.some((v) => v.notes.some((n) => /could not be tied/.test(n))),
  };
}

describe('sessions per message on a real engine\'s link, several messages in flight', () => {
  it('Exim, a failed handshake then a plaintext reconnect for each of three: 2 sessions each, 6 in all, as the wire saw', () => {
    const events: TraceEvent[] = [
      started('exim'), arrived('m1'), arrived('m2'), arrived('m3'),
      ...connection(1, { failed: true }), ...connection(2, { failed: true }), ...connection(3, { failed: true }),
      fact('exim', 'tls-failed', 'm2'), fact('exim', 'plaintext-fallback', 'm2'),
      fact('exim', 'tls-failed', 'm1'), fact('exim', 'plaintext-fallback', 'm1'),
      fact('exim', 'tls-failed', 'm3'), fact('exim', 'plaintext-fallback', 'm3'),
      ...connection(4, { id: 'm2' }), ...connection(5, { id: 'm3' }), ...connection(6, { id: 'm1' }),
      fact('exim', 'relayed', 'm2'), fact('exim', 'relayed', 'm3'), fact('exim', 'relayed', 'm1'),
    ];
    expect(counts(events, ['m1', 'm2', 'm3'])).toEqual({ sessions: { m1: 2, m2: 2, m3: 2 }, untiedNote: false });
  });

  it('Postfix, a deferral after each failed handshake (tls-failed and deferred name one connection), then plaintext: m1 4 (three failed, one plaintext), m2 2', () => {
    const events: TraceEvent[] = [
      started('postfix'), arrived('m1'), arrived('m2'),
      ...connection(1, { failed: true }), fact('postfix', 'tls-failed', 'm1'), fact('postfix', 'deferred', 'm1'),
      ...connection(2, { failed: true }), fact('postfix', 'tls-failed', 'm2'), fact('postfix', 'deferred', 'm2'),
      ...connection(3, { failed: true }), fact('postfix', 'tls-failed', 'm1'), fact('postfix', 'deferred', 'm1'),
      ...connection(4, { failed: true }), ...connection(5, { id: 'm1' }),
      fact('postfix', 'tls-failed', 'm1'), fact('postfix', 'plaintext-fallback', 'm1'), fact('postfix', 'relayed', 'm1'),
      ...connection(6, { id: 'm2' }), fact('postfix', 'relayed', 'm2'),
    ];
    expect(counts(events, ['m1', 'm2'])).toEqual({ sessions: { m1: 4, m2: 2 }, untiedNote: false });
  });

  it('when the log names more failed attempts than the wire saw connections (Sendmail defers m2 without connecting), the failed handshake is still tied to its message', () => {
    const events: TraceEvent[] = [
      started('sendmail'), arrived('m1'), arrived('m2'),
      ...connection(1, { failed: true }), fact('sendmail', 'tls-failed', 'm1'), fact('sendmail', 'deferred', 'm1'),
      fact('sendmail', 'deferred', 'm2'),
      ...connection(2, { id: 'm1' }), ...connection(3, { id: 'm2' }),
    ];
    // The deferral of m2 logged on its own made no connection; counting only the failed handshakes, log and wire agree.
    expect(counts(events, ['m1', 'm2'])).toEqual({ sessions: { m1: 2, m2: 1 }, untiedNote: false });
  });

  it('a failed attempt whose message the log does not name (OpenSMTPD logs sessions, not messages) ties nothing', () => {
    const events: TraceEvent[] = [
      started('exim'), arrived('m1'), arrived('m2'),
      ...connection(1, { failed: true }), fact('exim', 'tls-failed'),
      ...connection(2, { id: 'm1' }), ...connection(3, { id: 'm2' }),
    ];
    expect(counts(events, ['m1', 'm2'])).toEqual({ sessions: { m1: 1, m2: 1 }, untiedNote: true });
  });
});
