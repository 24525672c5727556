/**
 * Connection reuse (`outbound.reuse`, docs/behaviour.md#B-reuse): after a completed mail transaction a session may
 * stay open for the next message due to the same next hop, which then runs its own transaction on it (RFC 5321
 * §3.3: MAIL may follow a completed transaction; under `reuseProbe: rset` an RSET probe first, sender-session.ts)
 * instead of QUIT and a new connection.
 * `fallbackMemory: session` (docs/behaviour.md#B-fallback-memory) is one use of it: the plaintext session a failed
 * handshake led to is kept whatever `reuse` says, as OpenSMTPD does (observed with OpenSMTPD 6.8.0p2,
 * test/engines/fallback-memory.test.ts). Under `connectionCache: on-demand` a session kept with no message waiting
 * for it is closed with QUIT at once; under `always` it waits, idle, until the virtual clock next moves (relay-queue.ts),
 * so nothing stays open while virtual time runs on.
 */
import type { EffectivePolicy, SessionEvent } from '../trace/events.js';
import type { Outbound, Submit } from '../scenario/policies.js';
import type { SmtpClient, SmtpReply } from './smtp-client.js';

/** What a session learnt before its first transaction, which every later transaction on it shares. */
export type SessionFacts = Pick<SessionEvent, 'starttlsAdvertised' | 'starttlsSent' | 'starttlsReply' | 'tls' | 'tlsFailure' | 'plaintextRetry'>;

/** The facts of `event`'s session, for the transactions after it. */
export function factsOf(event: SessionFacts): SessionFacts {
  const { starttlsAdvertised, starttlsSent, starttlsReply, tls, tlsFailure, plaintextRetry } = event;
  return { starttlsAdvertised, starttlsSent, plaintextRetry, tls, ...(starttlsReply ? { starttlsReply } : {}), ...(tlsFailure ? { tlsFailure } : {}) };
}

/**
 * An open session after a completed transaction: the client, the EHLO reply the next transaction may use
 * (RFC 6531 §3.2), the effective policy it was opened under, what it learnt before its first transaction, and the
 * messages it carried so far, in order.
 */
export interface OpenSession {
  client: SmtpClient;
  ehlo: SmtpReply;
  policy: EffectivePolicy;
  facts: SessionFacts;
  carried: string[];
}

/**
 * Whether a session that just completed a transaction may be kept: `reuse: all` keeps any, `reuse: plaintext` one
 * without TLS; `fallbackMemory: session` keeps the plaintext session after a failed handshake.
 */
export function mayKeep(policy: Outbound | Submit, secure: boolean, plaintextRetry: boolean): boolean {
  const reuse = 'reuse' in policy ? policy.reuse : 'none';
  if (reuse === 'all' || (reuse === 'plaintext' && !secure)) return true;
  return plaintextRetry && 'fallbackMemory' in policy && policy.fallbackMemory === 'session';
}

/** True when `policy` keeps sessions at all (`reuse` other than `none`, or `fallbackMemory: session`). */
export function keepsSessions(policy: Outbound | Submit): boolean {
  const reuse = 'reuse' in policy ? policy.reuse : 'none';
  return reuse !== 'none' || ('fallbackMemory' in policy && policy.fallbackMemory === 'session');
}

/** True when `policy` keeps a session idle for the next message (`connectionCache: always`), not only on a backlog. */
export function cachesAlways(policy: Outbound | Submit): boolean {
  return 'connectionCache' in policy && policy.connectionCache === 'always';
}

/**
 * The sessions kept open to the next hop, handed from one attempt to the next: at most `limit` (`concurrencyLimit`),
 * one per session slot, as Postfix's connection cache holds at most one session per concurrent delivery.
 */
export class KeptSession {
  readonly #open: OpenSession[] = [];

  /** @param limit most sessions kept at once, >= 1; keeping one more ends the oldest with QUIT. */
  constructor(private readonly limit = Infinity) {}

  /** Sessions kept now. */
  get size(): number {
    return this.#open.length;
  }

  /** Keeps `session` for the next message. */
  keep(session: OpenSession): void {
    this.#open.push(session);
    if (this.#open.length > this.limit) void this.#open.shift()!.client.quit();
  }

  /**
   * Takes a kept session for a message under effective policy `policy`, the last kept under the same policy, if any
   * (Postfix too caches a connection per TLS policy); the taker ends it or keeps it again.
   */
  take(policy: EffectivePolicy): OpenSession | undefined {
    const i = this.#open.findLastIndex((open) => open.policy === policy);
    return i < 0 ? undefined : this.#open.splice(i, 1)[0];
  }

  /** Ends every kept session with QUIT (RFC 5321 §4.1.1.10). Never throws. */
  async close(): Promise<void> {
    const open = this.#open.splice(0);
    await Promise.all(open.map((o) => o.client.quit()));
  }
}
