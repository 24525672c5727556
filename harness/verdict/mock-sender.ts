/**
 * The sender's witness when mailhop drives the sender (the injecting client or a mock hop): it records a
 * `session` event per SMTP session (policy, STARTTLS, TLS, result, transcript), and the verdict weighs each
 * session against the receiver's `accepted` event and the wire record of the same TCP connection
 * (connection-pairing.ts). Pure, like every verdict.
 */
import type { LinkVerdictName } from '../scenario/schema.js';
import type { SenderKind } from '../scenario/hop-kind.js';
import type { AcceptedEvent, SessionEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import { faultNotes, faultsOn, interceptedBy, strippedBy } from './fault-attribution.js';
import type { MessageLinkVerdict, SenderStatement, SenderWitness, Witnesses } from './sender-witness.js';
import type { TraceIndex } from './trace-index.js';

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

  judge(messageId: string): MessageLinkVerdict {
    return judgeSessions(this.index, this.link, messageId);
  }

  sessions(): number {
    return this.index.count(this.link, 'session');
  }

  account(messageId: string): SenderStatement[] {
    return this.index.sessions(this.link, messageId).map((session) => ({ kind: 'session', session }));
  }
}

const tlsOr = (yes: boolean): 'tls' | 'plain' => (yes ? 'tls' : 'plain');


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
function judgeSessions(index: TraceIndex, link: string, messageId: string): MessageLinkVerdict {
  const sessions = index.sessions(link, messageId);
  // The wire record of a session's connection (connection-pairing.ts: ports are reused).
  const wireFor = (s: SessionEvent): WireRecord | undefined => index.wireOf(s);
  const accepted = index.accepted(link, messageId)[0];
  const faultsOf = (s: SessionEvent) => faultsOn(s, wireFor(s));
  // Per session, what the link did first, then how the sender fared.
  const notes = sessions.flatMap((s) => [...faultNotes(faultsOf(s)), noteOf(s)]).filter((n): n is string => Boolean(n));

  let crossedInClear = false;
  let clearSession: SessionEvent | undefined;
  let leak = false;
  for (const s of sessions) {
    const wire = wireFor(s);
    const clearBySender = s.contentSent !== null && !s.contentSent.encrypted;
    const clearByWire = Boolean(wire?.plaintextMessageIds.includes(messageId));
    if (clearBySender || clearByWire) {
      crossedInClear = true;
      clearSession ??= s;
      if (s.requiresTls) {
        leak = true;
        notes.push(`attempt ${s.attempt}: LEAK: content crossed in clear although policy ${s.policy} requires TLS`);
      }
    }
  }

  const relayed = sessions.find((s) => s.result === 'relayed');
  const deciding = relayed ?? sessions.at(-1);
  const witnesses: Witnesses = {};
  let disagreement: string | undefined;
  if (deciding) {
    witnesses.sender = tlsOr(Boolean(deciding.tls));
    const wire = wireFor(deciding);
    // Implicit TLS too is only encrypted once the handshake completed (a killed handshake is not TLS).
    if (wire) witnesses.wire = tlsOr(wire.handshake === 'established');
    if (relayed && accepted) witnesses.receiver = tlsOr(accepted.secure);
    const seen = Object.entries(witnesses);
    if (new Set(seen.map(([, v]) => v)).size > 1) {
      disagreement = `witnesses disagree: ${seen.map(([k, v]) => `${k} saw ${v}`).join(', ')}`;
    }
    if (wire && deciding.contentSent?.encrypted && wire.plaintextMessageIds.includes(messageId)) {
      disagreement = `the sender believed it encrypted the content, but the wire saw message ${messageId} in clear`;
    }
  }

  // STARTTLS command injection (docs/behaviour.md#A-inject-command): the receiver ran plaintext sent before the
  // handshake as if it had come inside TLS; the sender's TLS session is not what the receiver executed.
  // Matched to the message by the port the receiver saw; a message it never accepted gets every one on the link.
  const injections = index.injections(link);
  const injected = accepted ? injections.filter((e) => e.serverPort === accepted.remotePort) : sessions.length ? injections : [];
  if (injected.length) {
    const what = `the receiver executed commands sent in clear before TLS as if they came inside TLS (STARTTLS command injection, CVE-2011-0411): ${injected.flatMap((e) => e.commands).join(', ')}`;
    notes.push(what);
    disagreement = disagreement ? `${disagreement}; ${what}` : what;
  }

  // TLS interception (docs/behaviour.md#A-intercept): all three witnesses saw TLS, but not the same session. The
  // evidence is the session itself: both ends export keying material (RFC 5705), equal only when
  // they share one TLS session; a fault that says it intercepted names who did it.
  const interceptor = relayed?.tls ? interceptedBy(relayed, faultsOf) : undefined;
  const split = relayed ? sessionsSplit(relayed, receivedOn(index.accepted(link, messageId), wireFor(relayed))) : false;
  if (relayed?.tls && (interceptor || split)) {
    const { version, cipher, verified, verifyError } = relayed.tls;
    const receiver = accepted?.tls ? `${accepted.tls.version} ${accepted.tls.cipher}` : 'none seen';
    const who = interceptor ? `${interceptor.fault} on the link` : 'a party on the link that no scenario fault accounts for';
    const evidence = split ? ' (their exported keying material differs, RFC 5705: two TLS sessions, not one)' : '';
    const what =
      `the receiver saw a different TLS session from the sender's${evidence}: ${who} ended the sender's ` +
      `(${version} ${cipher}, peer certificate ${interceptor ? "the attacker's" : 'not the receiver\'s session'}, ${verified ? 'yet verified' : `not verified: ${verifyError}`}) ` +
      `and opened its own to the receiver (${receiver}); the content was in clear in between`;
    notes.push(what);
    disagreement = disagreement ? `${disagreement}; ${what}` : what;
  }

  let verdict: LinkVerdictName;
  const tlsOk = deciding?.tls && !deciding.tls.nullCipher;
  if (relayed || crossedInClear) {
    const s = relayed ?? deciding!;
    // Content that crossed in clear on any session (say a stripped attempt whose 250 was lost before a
    // TLS retry) makes the link a plaintext link, whatever the session that finally relayed it did.
    if (!crossedInClear && s.tls && !s.tls.nullCipher && s.contentSent?.encrypted !== false) {
      // Only a policy that would have refused a bad certificate authenticates the link (RFC 7435 §3).
      verdict = s.tls.verified && s.policy === 'verify' ? 'tls-verified' : 'tls';
    }
    else {
      if (s.tls?.nullCipher) notes.push(`eNULL cipher ${s.tls.cipher}: TLS framing without encryption`);
      // Downgraded only when STARTTLS was tried (sent, or a TLS session carried eNULL, or the retry
      // after a failed handshake); a sender that chose not to try it sent `plain`.
      const tried = sessions.some((x) => x.starttlsSent || x.tls || x.plaintextRetry);
      const stripper = strippedBy(clearSession ?? s, sessions, faultsOf);
      if (stripper) {
        notes.push(`stripped: in clear because ${stripper.fault} on the link kept TLS from being used (attempt ${stripper.attempt}), not because of the servers`);
      }
      verdict = stripper ? 'stripped' : tried ? 'downgraded' : 'plain';
    }
  } else if (sessions.length > 0) {
    verdict = 'refused';
  } else {
    verdict = 'none';
  }

  return {
    link,
    messageId,
    verdict,
    ...(tlsOk && deciding?.tls ? { version: deciding.tls.version, cipher: deciding.tls.cipher } : {}),
    sessions: sessions.length,
    witnesses,
    ...(disagreement ? { disagreement } : {}),
    crossedInClear,
    leak,
    notes,
    ...(sessions.some((x) => faultsOf(x).length > 0) ? { faults: sessions.flatMap(faultsOf) } : {}),
  };
}

/**
 * The receiver's `accepted` event (of `all`, the message's on the link) for the connection `wire` recorded: the proxy's
 * upstream port (`WireRecord.upstreamPort`) is the client port the receiver saw. A sender that
 * timed out after the receiver had accepted retries, and the receiver accepts the message more
 * than once; only the acceptance on the same connection tells of the same TLS session. Without a
 * port match (a front between proxy and server) the only acceptance, if there is just one.
 */
function receivedOn(all: readonly AcceptedEvent[], wire: WireRecord | undefined): AcceptedEvent | undefined {
  const port = wire?.upstreamPort;
  return all.find((e) => port !== undefined && e.remotePort === port) ?? (all.length === 1 ? all[0] : undefined);
}

/**
 * True when the sender and the receiver both exported keying material from "their" TLS session
 * and the values differ: TLS was terminated between them. False when they match or either side
 * could not tell (no TLS, a front that re-terminates TLS by design, an engine).
 */
function sessionsSplit(sent: SessionEvent | undefined, accepted: AcceptedEvent | undefined): boolean {
  const a = sent?.tls?.exporter;
  const b = accepted?.tls?.exporter;
  return Boolean(a && b && a !== b);
}
