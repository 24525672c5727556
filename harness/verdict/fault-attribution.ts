/**
 * Which link fault acted on which delivery attempt, read from the wire records of a message's
 * sessions (the faults record themselves there: `WireRecord.faults`), and whether one of them is
 * why the message crossed in plaintext (`stripped`) or why its TLS session ended in the middle of
 * the link (intercepted). Pure functions of the trace, like every verdict.
 */
import type { FaultEffect, WireRecord } from '../link/wire-record.js';
import type { SessionEvent } from '../trace/events.js';

/** One fault's doings on one session of a message. */
export interface FaultAttribution {
  /** The fault's name as in the scenario, e.g. `strip-starttls`. */
  fault: string;
  /** Delivery attempt of the message, from 1. */
  attempt: number;
  /** Connection within the attempt (2 after a reconnect fallback). */
  connection: number;
  /** What it did, in its own words, without repeats, e.g. `removed "250 STARTTLS" from the EHLO reply`. */
  did: string[];
  /** What that did to the link's security, when anything. */
  effect?: FaultEffect;
}

/** Faults that acted on a session's connection, in the order they first acted. */
export function faultsOn(session: SessionEvent, wire: WireRecord | undefined): FaultAttribution[] {
  const byFault = new Map<string, FaultAttribution>();
  for (const event of wire?.faults ?? []) {
    let entry = byFault.get(event.fault);
    if (!entry) byFault.set(event.fault, (entry = { fault: event.fault, attempt: session.attempt, connection: session.connection, did: [] }));
    const did = event.note ?? `${event.action} (${event.dir === 'C' ? 'from the client' : 'from the server'})`;
    if (!entry.did.includes(did)) entry.did.push(did);
    // Interception outweighs denial: it is the one the sender cannot see at all.
    if (event.effect && entry.effect !== 'tls-intercepted') entry.effect = event.effect;
  }
  return [...byFault.values()];
}

/** Report notes: `attempt 1: strip-starttls removed "250 STARTTLS" from the EHLO reply`. */
export function faultNotes(attributions: readonly FaultAttribution[]): string[] {
  return attributions.map((a) => `${where(a)}: ${a.fault} ${a.did.join('; ')}`);
}

/**
 * The fault that made `plain` (the session whose content crossed in clear) a plaintext session,
 * if one did: one that denied TLS on that very connection (strip, mask, 454, tampered 220), or on
 * the connection whose failed handshake the client answered with this plaintext reconnect
 * (kill-handshake, stall). Never when the policy in force would not have used TLS anyway.
 */
export function strippedBy(
  plain: SessionEvent,
  sessions: readonly SessionEvent[],
  faultsOf: (session: SessionEvent) => FaultAttribution[],
): FaultAttribution | undefined {
  if (plain.policy === 'none') return undefined;
  const denied = (s: SessionEvent) => faultsOf(s).find((a) => a.effect === 'tls-denied');
  const own = denied(plain);
  if (own || !plain.plaintextRetry) return own;
  const failed = sessions.find((s) => s.attempt === plain.attempt && s.connection < plain.connection && s.tlsFailure);
  return failed && denied(failed);
}

/** The fault that intercepted a session's TLS, if one did. */
export function interceptedBy(session: SessionEvent, faultsOf: (session: SessionEvent) => FaultAttribution[]): FaultAttribution | undefined {
  return faultsOf(session).find((a) => a.effect === 'tls-intercepted');
}

function where(a: Pick<FaultAttribution, 'attempt' | 'connection'>): string {
  return `attempt ${a.attempt}${a.connection > 1 ? `, connection ${a.connection}` : ''}`;
}
