/**
 * The sender's witness when mailhop drives the sender (the injecting client or a mock hop): it records a
 * `session` event per SMTP session (policy, STARTTLS, TLS, result, transcript), and the verdict weighs each
 * session against the receiver's `accepted` event and the wire record of the same TCP connection
 * (connection-pairing.ts). Pure, like every verdict.
 */
import type { LinkVerdictName } from '../scenario/schema.js';
import type { SenderKind } from '../scenario/hop-kind.js';
import type { AcceptedEvent, SessionEvent } from '../trace/events.js';
import { faultNotes, faultsOn, strippedBy, type FaultAttribution } from './fault-attribution.js';
import type { MessageLinkVerdict, SenderStatement, SenderWitness, Witnesses } from './sender-witness.js';
import type { TraceIndex } from './trace-index.js';
import { tlsTampering } from './tls-tampering.js';
import { BELIEVED_REPLY, believedReplies } from './believed-replies.js';
import { tlsOr, witnessDisagreement } from './witness-agreement.js';
import { dnsPolicyFacts } from './dns-policy-facts.js';

/** The injecting client's or a mock hop's witness of `link`. */
export class MockSender implements SenderWitness {
  readonly hop: string;

  constructor(
    private readonly index: TraceIndex,
    readonly link: string,
    readonly kind: Extract<SenderKind, 'client' | 'mock'>,
  ) {
    this.hop = link.split('->')[0];
  }

  judge(messageId: string, destination?: string): MessageLinkVerdict {
    return judgeSessions(this.index, this.link, messageId, destination);
  }

  sessions(): number {
    return this.index.count(this.link, 'session');
  }

  account(messageId: string): SenderStatement[] {
    return this.index.sessions(this.link, messageId).map((session) => ({ kind: 'session', session }));
  }
}

/** Which messages a kept session carried before this one (`outbound.reuse`): the session's facts are theirs too. */
function sharedNote(s: SessionEvent): string | undefined {
  if (!s.sharedSession) return undefined;
  return `attempt ${s.attempt}: transaction ${s.sharedSession.transaction} of a shared session, after ${s.sharedSession.after.join(', ')}`;
}

/**
 * A session whose server resumed an earlier TLS session (docs/behaviour.md#B-resumption): TLS all the same, but no
 * certificate crossed; its certificate facts are those of the handshake that established the session.
 */
function resumedNote(s: SessionEvent): string | undefined {
  if (!s.tls?.resumed || s.sharedSession) return undefined;
  const cert = s.tls.verified ? 'valid' : `not valid (${s.tls.verifyError})`;
  return `attempt ${s.attempt}${s.connection > 1 ? `, connection ${s.connection}` : ''}: TLS session resumed (no certificate crossed; certificate ${cert} when the session was established)`;
}

function noteOf(s: SessionEvent): string | undefined {
  const where = `attempt ${s.attempt}${s.connection > 1 ? `, connection ${s.connection}` : ''}`;
  if (s.plaintextRetry) return `${where}: reconnected without STARTTLS after a failed handshake`;
  if (s.tlsFailure) return `${where}: ${s.tlsFailure.type} (${s.tlsFailure.detail})`;
  // The sender's policy chose plaintext: `plain`, not a downgrade; the note says whose choice it was.
  if (s.starttlsAdvertised && !s.starttlsSent) return `${where}: STARTTLS offered by ${s.link.split('->')[1]}; not used: ${s.policyReason ?? `policy ${s.policy}`}`;
  if (s.result !== 'relayed') return `${where}: ${s.result}: ${s.reply.text}`;
  return undefined;
}

/**
 * Judges one message on a link whose sender mailhop drives: O(the message's sessions on the link, and the
 * link's STARTTLS injections), not O(trace).
 */
function judgeSessions(index: TraceIndex, link: string, messageId: string, destination?: string): MessageLinkVerdict {
  const ofCopy = <T extends { destination?: string }>(events: readonly T[]) => (destination === undefined ? events : events.filter((e) => e.destination === destination));
  const sessions = ofCopy(index.sessions(link, messageId));
  const accepted = destination === undefined ? index.accepted(link, messageId)[0] : acceptedOn(index, sessions, link, messageId);
  // index.wireOf: the wire record of a session's connection (connection-pairing.ts: ports are reused).
  const faultsOf = (s: SessionEvent) => faultsOn(s, index.wireOf(s));
  // Per session, what the link did first, then how the sender fared.
  const notes = sessions.flatMap((s) => [...faultNotes(faultsOf(s)), sharedNote(s), resumedNote(s), noteOf(s)]).filter((n): n is string => Boolean(n));
  const clear = clearCrossings(index, sessions, messageId);
  notes.push(...clear.leakNotes);

  const relayed = sessions.find((s) => s.result === 'relayed');
  const deciding = relayed ?? sessions.at(-1);
  const { witnesses, disagreement: seen } = weighWitnesses(index, messageId, deciding, relayed, accepted);
  const tampering = tlsTampering(index, link, messageId, { sessions, accepted, relayed, faultsOf });
  notes.push(...tampering);
  const believed = believedReplies(sessions, faultsOf);
  notes.push(...believed.map((b) => `${BELIEVED_REPLY}: ${b}`));
  const disagreement = [seen, ...tampering].filter(Boolean).join('; ') || undefined;
  const verdict = sessionsVerdict(sessions, relayed, deciding, clear, faultsOf, notes);

  const tlsOk = deciding?.tls && !deciding.tls.nullCipher;
  const dns = dnsPolicyFacts(sessions, deciding, ofCopy(index.dnsLookups(link, messageId)), ofCopy(index.stsSteps(link, messageId)));
  notes.unshift(...dns.notes);
  return {
    link,
    messageId,
    verdict,
    ...(tlsOk && deciding?.tls ? { version: deciding.tls.version, cipher: deciding.tls.cipher, ...(deciding.tls.resumed ? { resumed: true as const } : {}) } : {}),
    sessions: sessions.length,
    witnesses,
    ...(disagreement ? { disagreement } : {}),
    crossedInClear: clear.crossedInClear,
    leak: clear.leak,
    notes,
    ...(believed.length ? { believedReplies: believed } : {}),
    ...(sessions.some((x) => faultsOf(x).length > 0) ? { faults: sessions.flatMap(faultsOf) } : {}),
    ...(dns.policy ? { policy: dns.policy } : {}),
    ...(dns.failures ? { failures: dns.failures } : {}),
  };
}

/**
 * The receiver's acceptance on the connection of one of `sessions` (paired by the sender's port, which is the port the
 * receiver saw: connection-pairing.ts): one copy's, when the receiver took several copies of a split message.
 */
function acceptedOn(index: TraceIndex, sessions: readonly SessionEvent[], link: string, messageId: string): AcceptedEvent | undefined {
  const ports = new Set(sessions.flatMap((s) => index.wireOf(s)?.upstreamPort ?? []));
  return index.accepted(link, messageId).find((a) => ports.has(a.remotePort));
}

/** Whether, and on which session first, the message's content crossed the link in clear. */
interface ClearCrossings {
  crossedInClear: boolean;
  /** The first session whose content crossed in clear. */
  clearSession: SessionEvent | undefined;
  /** Content crossed in clear on a session whose policy required TLS. */
  leak: boolean;
  /** One LEAK note per such session. */
  leakNotes: string[];
}

/** Content in clear by either account: the sender's (it sent unencrypted) or the wire's (it saw the message id in clear). */
function clearCrossings(index: TraceIndex, sessions: readonly SessionEvent[], messageId: string): ClearCrossings {
  const found: ClearCrossings = { crossedInClear: false, clearSession: undefined, leak: false, leakNotes: [] };
  for (const s of sessions) {
    const wire = index.wireOf(s);
    const clearBySender = s.contentSent !== null && !s.contentSent.encrypted;
    const clearByWire = Boolean(wire?.plaintextMessageIds.includes(messageId));
    if (!clearBySender && !clearByWire) continue;
    found.crossedInClear = true;
    found.clearSession ??= s;
    if (s.requiresTls) {
      found.leak = true;
      found.leakNotes.push(`attempt ${s.attempt}: LEAK: content crossed in clear although ${s.tlsPolicy?.source === 'dane' ? 'DANE (RFC 7672)' : s.tlsPolicy?.stsMode === 'enforce' ? 'an enforced MTA-STS policy (RFC 8461)' : `policy ${s.policy}`} requires TLS`);
    }
  }
  return found;
}

/**
 * How each witness saw the deciding session (the one that relayed, else the last), and how they disagree: by
 * their words, or a sender that believed it encrypted content the wire saw in clear.
 */
function weighWitnesses(
  index: TraceIndex,
  messageId: string,
  deciding: SessionEvent | undefined,
  relayed: SessionEvent | undefined,
  accepted: AcceptedEvent | undefined,
): { witnesses: Witnesses; disagreement: string | undefined } {
  const witnesses: Witnesses = {};
  if (!deciding) return { witnesses, disagreement: undefined };
  witnesses.sender = tlsOr(Boolean(deciding.tls));
  const wire = index.wireOf(deciding);
  // Implicit TLS too is only encrypted once the handshake completed (a killed handshake is not TLS).
  if (wire) witnesses.wire = tlsOr(wire.handshake === 'established');
  if (relayed && accepted) witnesses.receiver = tlsOr(accepted.secure);
  let disagreement = witnessDisagreement(witnesses);
  if (wire && deciding.contentSent?.encrypted && wire.plaintextMessageIds.includes(messageId)) {
    disagreement = `the sender believed it encrypted the content, but the wire saw message ${messageId} in clear`;
  }
  return { witnesses, disagreement };
}

/**
 * The link verdict from the sessions: `tls-verified`/`tls` when the relaying session kept the content
 * encrypted, `stripped`/`downgraded`/`plain` when content crossed in clear (appending why to `notes`),
 * `refused` when sessions relayed nothing, `none` when there were none.
 */
function sessionsVerdict(
  sessions: readonly SessionEvent[],
  relayed: SessionEvent | undefined,
  deciding: SessionEvent | undefined,
  { crossedInClear, clearSession }: ClearCrossings,
  faultsOf: (s: SessionEvent) => FaultAttribution[],
  notes: string[],
): LinkVerdictName {
  if (!relayed && !crossedInClear) return sessions.length > 0 ? 'refused' : 'none';
  const s = relayed ?? deciding!;
  // Content that crossed in clear on any session (say a stripped attempt whose 250 was lost before a
  // TLS retry) makes the link a plaintext link, whatever the session that finally relayed it did.
  if (!crossedInClear && s.tls && !s.tls.nullCipher && s.contentSent?.encrypted !== false) {
    // Only a policy that would have refused a bad certificate authenticates the link (RFC 7435 §3): `verify`, or DANE
    // whose TLSA records the certificate matched (RFC 7672 §3.1: names and dates aside for DANE-EE).
    return (s.tls.verified && s.policy === 'verify') || s.tlsPolicy?.matched ? 'tls-verified' : 'tls';
  }
  if (s.tls?.nullCipher) notes.push(`eNULL cipher ${s.tls.cipher}: TLS framing without encryption`);
  // Downgraded only when STARTTLS was tried (sent, or a TLS session carried eNULL, or the retry
  // after a failed handshake); a sender that chose not to try it sent `plain`.
  const tried = sessions.some((x) => x.starttlsSent || x.tls || x.plaintextRetry);
  const stripper = strippedBy(clearSession ?? s, sessions, faultsOf);
  if (stripper) {
    notes.push(`stripped: in clear because ${stripper.fault} on the link kept TLS from being used (attempt ${stripper.attempt}), not because of the servers`);
  }
  return stripper ? 'stripped' : tried ? 'downgraded' : 'plain';
}
