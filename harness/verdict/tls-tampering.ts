/**
 * Two ways a party on a link defeats TLS that every witness otherwise reports as TLS, told from the
 * sessions mailhop's own sender recorded (mock-sender.ts): STARTTLS command injection and TLS interception.
 * Pure, like every verdict.
 */
import type { AcceptedEvent, SessionEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import { interceptedBy, type FaultAttribution } from './fault-attribution.js';
import type { TraceIndex } from './trace-index.js';

/** One message's sessions on a link, as the mock sender's verdict has them. */
export interface SessionsSeen {
  /** The message's sessions on the link, in trace order. */
  sessions: readonly SessionEvent[];
  /** The receiver's first `accepted` event for the message on the link. */
  accepted: AcceptedEvent | undefined;
  /** The session that relayed the message, if any. */
  relayed: SessionEvent | undefined;
  /** The link faults that acted on a session. */
  faultsOf: (s: SessionEvent) => FaultAttribution[];
}

/**
 * What the link did to TLS behind the witnesses' backs, one sentence per finding (injection first, then
 * interception); each is both a note and part of the disagreement. Empty when neither happened.
 */
export function tlsTampering(index: TraceIndex, link: string, messageId: string, seen: SessionsSeen): string[] {
  return [injectionFinding(index, link, seen), interceptionFinding(index, link, messageId, seen)].filter((w): w is string => w !== undefined);
}

/**
 * STARTTLS command injection (docs/behaviour.md#A-inject-command): the receiver ran plaintext sent before the
 * handshake as if it had come inside TLS; the sender's TLS session is not what the receiver executed.
 * Matched to the message by the port the receiver saw; a message it never accepted gets every one on the link.
 */
function injectionFinding(index: TraceIndex, link: string, { sessions, accepted }: SessionsSeen): string | undefined {
  const injections = index.injections(link);
  const injected = accepted ? injections.filter((e) => e.serverPort === accepted.remotePort) : sessions.length ? injections : [];
  if (!injected.length) return undefined;
  return `the receiver executed commands sent in clear before TLS as if they came inside TLS (STARTTLS command injection, CVE-2011-0411): ${injected.flatMap((e) => e.commands).join(', ')}`;
}

/**
 * TLS interception (docs/behaviour.md#A-intercept): all three witnesses saw TLS, but not the same session. The
 * evidence is the session itself: both ends export keying material (RFC 5705), equal only when
 * they share one TLS session; a fault that says it intercepted names who did it.
 */
function interceptionFinding(index: TraceIndex, link: string, messageId: string, { accepted, relayed, faultsOf }: SessionsSeen): string | undefined {
  const interceptor = relayed?.tls ? interceptedBy(relayed, faultsOf) : undefined;
  const split = relayed ? sessionsSplit(relayed, receivedOn(index.accepted(link, messageId), index.wireOf(relayed))) : false;
  if (!relayed?.tls || !(interceptor || split)) return undefined;
  const { version, cipher, verified, verifyError } = relayed.tls;
  const receiver = accepted?.tls ? `${accepted.tls.version} ${accepted.tls.cipher}` : 'none seen';
  const who = interceptor ? `${interceptor.fault} on the link` : 'a party on the link that no scenario fault accounts for';
  const evidence = split ? ' (their exported keying material differs, RFC 5705: two TLS sessions, not one)' : '';
  return (
    `the receiver saw a different TLS session from the sender's${evidence}: ${who} ended the sender's ` +
    `(${version} ${cipher}, peer certificate ${interceptor ? "the attacker's" : 'not the receiver\'s session'}, ${verified ? 'yet verified' : `not verified: ${verifyError}`}) ` +
    `and opened its own to the receiver (${receiver}); the content was in clear in between`
  );
}

/**
 * The receiver's `accepted` event (of `all`, the message's on the link) for the connection `wire` recorded: the proxy's
 * upstream port (`WireRecord.upstreamPort`) is the client port the receiver saw. A sender that
 * timed out after the receiver had accepted retries, and the receiver accepts the message more
 * than once; only the acceptance on the same connection tells of the same TLS session. Without a
 * port match (no port recorded for the connection) the only acceptance, if there is just one.
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
