import { describe, expect, it } from 'vitest';
import type { WireFaultEvent, WireRecord } from '../../harness/link/wire-record.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { SessionEvent, TraceEvent, WireEvent } from '../../harness/trace/events.js';
import { judgeScenario } from '../../harness/verdict/judge-scenario.js';
import { judgeMessageLink } from '../../harness/verdict/link-verdict.js';

// `stripped` and fault attribution are pure functions of the trace: these traces are built by hand,
// to reach what an honest chain never produces (a TLS-requiring client that sends in clear anyway).
const LINK = 'gateway->mailbox';
let seq = 0;

const STRIP: WireFaultEvent = { at: 0, fault: 'strip-starttls', dir: 'S', action: 'replace', note: 'removed "250 STARTTLS" from the EHLO reply', effect: 'tls-denied' };
const KILL: WireFaultEvent = { at: 0, fault: 'kill-handshake', dir: 'C', action: 'drop+close:end', note: 'closed the connection on the ClientHello', effect: 'tls-denied' };

function session(over: Partial<SessionEvent>): SessionEvent {
  return {
    kind: 'session', source: 'sender', seq: ++seq, at: 0, link: LINK, hop: 'gateway', messageId: 'm1', attempt: 1, connection: 1,
    localPort: 40000, policy: 'opportunistic', requiresTls: false, plaintextRetry: false, starttlsAdvertised: false, starttlsSent: false,
    tls: null, contentSent: { encrypted: false }, result: 'relayed', reply: { code: 250, text: '250 Ok' }, transcript: [], ...over,
  };
}

function wire(clientPort: number, over: Partial<WireRecord>): WireEvent {
  const record: WireRecord = {
    id: `${LINK}#${clientPort}`, link: LINK, seq: 1, clientPort, openedAt: 0, ehlo: [], starttlsAdvertised: false, starttlsSent: false,
    implicitTls: false, handshake: 'none', commands: [], replies: [], plaintextData: false, plaintextMessageIds: [], plaintextDataBytes: 0,
    bytes: { fromClient: 0, fromServer: 0 }, transcript: [], dropped: 0, faults: [], ...over,
  };
  return { kind: 'wire', source: 'wire', seq: ++seq, at: 0, link: LINK, record };
}

const inClear = { plaintextData: true, plaintextMessageIds: ['m1'] };

describe('stripped: plaintext because of a fault on the link', () => {
  it('a strip on the very connection that carried the content in clear', () => {
    const v = judgeMessageLink(LINK, 'm1', [session({}), wire(40000, { ...inClear, faults: [STRIP] })]);
    expect(v.verdict).toBe('stripped');
    expect(v.faults).toEqual([{ fault: 'strip-starttls', attempt: 1, connection: 1, did: ['removed "250 STARTTLS" from the EHLO reply'], effect: 'tls-denied' }]);
    expect(v.notes).toEqual([
      'attempt 1: strip-starttls removed "250 STARTTLS" from the EHLO reply',
      'stripped: in clear because strip-starttls on the link kept TLS from being used (attempt 1), not because of the servers',
    ]);
  });

  it('a plaintext reconnect after a handshake the fault killed; without the fault the same reconnect is only downgraded', () => {
    const events = (faults: WireFaultEvent[]): TraceEvent[] => [
      session({ localPort: 40001, starttlsAdvertised: true, starttlsSent: true, contentSent: null, result: 'fallback', tlsFailure: { type: 'handshake-failure', detail: 'closed' } }),
      wire(40001, { starttlsAdvertised: true, starttlsSent: true, handshake: 'failed', faults }),
      session({ localPort: 40002, connection: 2, plaintextRetry: true, starttlsAdvertised: true }),
      wire(40002, { ...inClear, starttlsAdvertised: true }),
    ];
    expect(judgeMessageLink(LINK, 'm1', events([KILL])).verdict).toBe('stripped');
    expect(judgeMessageLink(LINK, 'm1', events([])).verdict).toBe('downgraded');
  });

  it('a fault on another connection (another message) does not make this one stripped', () => {
    const v = judgeMessageLink(LINK, 'm1', [session({ starttlsAdvertised: true }), wire(40000, inClear), wire(40009, { faults: [STRIP] })]);
    expect(v.verdict).toBe('plain'); // offered, not tried: the sender's choice
    expect(v.faults).toBeUndefined();
  });

  it('a leak stays a failure of the run even when a fault caused it and `expect` says stripped', () => {
    const scenario = Scenario.parse({
      name: 'leak-under-strip',
      hops: [{ id: 'gateway', outbound: { tls: 'mandatory' } }, { id: 'mailbox' }],
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
      expect: { links: { [LINK]: 'stripped' }, endToEnd: 'broken' },
    });
    const events: TraceEvent[] = [
      { kind: 'queued', source: 'sender', seq: ++seq, at: 0, link: 'client->gateway', hop: 'client', messageId: 'm1', inboundTls: null },
      session({ policy: 'mandatory', requiresTls: true }),
      wire(40000, { ...inClear, faults: [STRIP] }),
      { kind: 'delivered', source: 'receiver', seq: ++seq, at: 0, link: LINK, hop: 'mailbox', messageId: 'm1' },
    ];
    const report = judgeScenario(scenario, events, { held: [], dsns: [] });

    expect(report.messages[0].links[1]).toMatchObject({ verdict: 'stripped', leak: true });
    expect(report.messages[0].endToEnd).toBe('leak');
    expect(report.passed).toBe(false);
    expect(report.failures).toContain('m1 leaked on gateway->mailbox: content crossed in clear where the policy in force required TLS');
  });
});
