/**
 * Traces of many messages built without a chain, in the order a chain records them: per message and
 * link the sender's queued message and session, the receiver's acceptance, the wire record of the
 * connection; the final hop's delivery with the Received headers it stored. For measuring the judge
 * on runs far larger than tests can send.
 */
import { linkNamesOf, Scenario } from '../../harness/scenario/schema.js';
import type { NewEvent, TraceEvent } from '../../harness/trace/events.js';
import type { WireRecord } from '../../harness/link/wire-record.js';

const TLS = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verified: false, nullCipher: false } as const;

/** A scenario of `hops` mock hops (`h1`..`hN`), the last the mailbox. */
export function chainOf(hops: number): Scenario {
  return Scenario.parse({
    name: `synthetic-${hops}`,
    hops: Array.from({ length: hops }, (_, i) => ({ id: `h${i + 1}` })),
    messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
  });
}

/** Options of {@link syntheticTrace}. */
export interface SyntheticOptions {
  /** Messages sent, `m1`..`mN` (from `m<first>` with `first`). */
  messages: number;
  /** Number of the first message, for a trace built in parts (default 1); `seq` then starts after `first - 1` messages' worth. */
  first?: number;
  /** Every `plainEvery`-th message crosses the last link in plaintext (default: none does). */
  plainEvery?: number;
  /** Each message also gets a `530 5.7.0` refusal at the first hop (a `require` hop): an event naming no message. */
  refusals?: boolean;
  /** The last `held` messages stop at the first hop, deferred (default 0). */
  held?: number;
}

/** A trace (`seq` from 1) of `options.messages` messages through `scenario`'s chain; see the file comment. */
export function syntheticTrace(scenario: Scenario, options: SyntheticOptions): TraceEvent[] {
  const ids = scenario.hops.map((h) => h.id);
  const links = linkNamesOf(ids);
  const events: TraceEvent[] = [];
  const first = options.first ?? 1;
  const seq0 = (first - 1) * 100 * links.length;
  const emit = (e: NewEvent) => events.push({ ...e, seq: seq0 + events.length + 1, at: 0 } as TraceEvent);
  let port = 10_000 + (first - 1) * 2 * links.length;
  for (let m = first; m < first + options.messages; m++) {
    const messageId = `m${m}`;
    const held = m >= first + options.messages - (options.held ?? 0);
    const received: string[] = [];
    for (const [i, link] of links.entries()) {
      const [from, to] = link.split('->');
      const plain = options.plainEvery !== undefined && m % options.plainEvery === 0 && i === links.length - 1;
      const localPort = port++;
      const upstreamPort = port++;
      emit({ kind: 'queued', source: 'sender', link, hop: from, messageId, inboundTls: i === 0 ? null : { version: TLS.version, cipher: TLS.cipher } });
      if (i === 0 && options.refusals) emit({ kind: 'refused-command', source: 'receiver', link, hop: to, command: 'MAIL FROM:<alice@org.test>', reply: '530 5.7.0 Must issue a STARTTLS command first' });
      if (held && i === 1) {
        emit({ kind: 'session', source: 'sender', link, hop: from, messageId, attempt: 1, connection: 1, localPort, policy: 'opportunistic', requiresTls: false, plaintextRetry: false, starttlsAdvertised: true, starttlsSent: true, tls: null, tlsFailure: { type: 'handshake-failure', detail: 'socket closed' }, contentSent: null, result: 'deferred', reply: { code: 451, enhanced: '4.4.0', text: 'handshake failed' }, transcript: [] });
        emit({ kind: 'wire', source: 'wire', link, record: record(link, m, localPort, upstreamPort, false, messageId) });
        emit({ kind: 'deferred', source: 'sender', link, hop: from, messageId, attempt: 1, nextAttemptAt: 300_000, reply: { code: 451, enhanced: '4.4.0', text: 'handshake failed' } });
        break;
      }
      const tls = plain ? null : TLS;
      received.unshift(`from ${from}.mailhop.test (${from}.mailhop.test [127.0.0.1]) by ${to}.mailhop.test (mailhop) with ${plain ? 'ESMTP' : 'ESMTPS'} id Q${m}x${i}; Sat, 28 Nov 2026 10:00:00 +0000`);
      const last = i === links.length - 1;
      emit({
        kind: 'accepted', source: 'receiver', link, hop: to, messageId, secure: !plain, protocol: plain ? 'ESMTP' : 'ESMTPS', remotePort: upstreamPort,
        tls: tls && { version: tls.version, cipher: tls.cipher, nullCipher: false },
        ...(last ? { received: { headers: [...received], hopNames: [`${to}.mailhop.test`] } } : {}),
      });
      if (last) emit({ kind: 'delivered', source: 'receiver', link, hop: to, messageId });
      emit({ kind: 'session', source: 'sender', link, hop: from, messageId, attempt: 1, connection: 1, localPort, policy: 'opportunistic', requiresTls: false, plaintextRetry: false, starttlsAdvertised: !plain, starttlsSent: !plain, tls, contentSent: { encrypted: !plain }, result: 'relayed', reply: { code: 250, enhanced: '2.0.0', text: 'Ok: queued' }, transcript: [] });
      emit({ kind: 'wire', source: 'wire', link, record: record(link, m, localPort, upstreamPort, plain, messageId) });
    }
  }
  return events;
}

function record(link: string, seq: number, clientPort: number, upstreamPort: number, plain: boolean, messageId: string): WireRecord {
  return {
    id: `${link}#${seq}`, link, seq, clientPort, upstreamPort, openedAt: 0, ehlo: plain ? [] : ['STARTTLS'], starttlsAdvertised: !plain, starttlsSent: !plain,
    implicitTls: false, handshake: plain ? 'none' : 'established', commands: [], replies: [], plaintextData: plain, plaintextMessageIds: plain ? [messageId] : [],
    plaintextDataBytes: plain ? 400 : 0, bytes: { fromClient: 0, fromServer: 0 }, transcript: [], dropped: 0, faults: [],
  };
}
