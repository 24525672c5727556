import { describe, expect, it } from 'vitest';
import type { WireRecord } from '../../harness/link/wire-record.js';
import type { AcceptedEvent, HopStartedEvent, TraceEvent, WireEvent } from '../../harness/trace/events.js';
import { judgeMessageLink } from '../../harness/verdict/link-verdict.js';

// A link whose sender is an external gateway (no sender sessions): judged from the receiver and the wire.
const LINK = 'ext->mailbox';
let seq = 0;

const started: HopStartedEvent = {
  kind: 'hop-started', source: 'chain', seq: ++seq, at: 0, link: 'relay->ext', hop: 'ext', hopKind: 'external', outboundLink: LINK, address: { host: '127.0.0.1', port: 2525 }, line: 'external gateway',
};

function wire(upstreamPort: number, over: Partial<WireRecord>): WireEvent {
  const record: WireRecord = {
    id: `${LINK}#${upstreamPort}`, link: LINK, seq: 1, clientPort: upstreamPort + 1000, upstreamPort, openedAt: 0, ehlo: [], starttlsAdvertised: true,
    starttlsSent: false, implicitTls: false, handshake: 'none', commands: [], replies: [], plaintextData: false, plaintextMessageIds: [],
    plaintextDataBytes: 0, bytes: { fromClient: 0, fromServer: 0 }, transcript: [], dropped: 0, faults: [], ...over,
  };
  return { kind: 'wire', source: 'wire', seq: ++seq, at: 0, link: LINK, record };
}

function accepted(messageId: string, remotePort: number, secure: boolean): AcceptedEvent {
  return {
    kind: 'accepted', source: 'receiver', seq: ++seq, at: 0, link: LINK, hop: 'mailbox', messageId, secure, remotePort, protocol: secure ? 'ESMTPS' : 'ESMTP',
    tls: secure ? { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', nullCipher: false } : null,
  };
}

describe('an id written into mail sent by hand does not claim another message\'s outcome', () => {
  it('m1 crossed over TLS; a plaintext message carrying "X-Mailhop-Id: m1", taken by the receiver as m2, leaves m1 tls', () => {
    const events: TraceEvent[] = [
      started,
      accepted('m1', 5001, true),
      wire(5001, { starttlsSent: true, handshake: 'established' }),
      // Sent by hand to the link's proxy, in clear, with m1's id in its content; the receiver gave it a fresh id.
      accepted('m2', 5002, false),
      wire(5002, { plaintextData: true, plaintextMessageIds: ['m1', 'm2'] }),
    ];
    const m1 = judgeMessageLink(LINK, 'm1', events);
    expect(m1.verdict).toBe('tls');
    expect(m1.crossedInClear).toBe(false);
    expect(m1.disagreement).toBeUndefined();
    expect(judgeMessageLink(LINK, 'm2', events).crossedInClear).toBe(true);
  });

  it('an id seen in clear on a connection the receiver took no mail on still counts (content that crossed, whoever sent it)', () => {
    const events: TraceEvent[] = [started, accepted('m1', 5001, true), wire(5001, { starttlsSent: true, handshake: 'established' }), wire(5003, { plaintextData: true, plaintextMessageIds: ['m1'] })];
    expect(judgeMessageLink(LINK, 'm1', events).crossedInClear).toBe(true);
  });
});
