/**
 * What a link's verdict says about policy from DNS, for a sender that routes by MX: which policy was in force on
 * the link (`none`, `dane`, `mta-sts`, or the hop's own), and every failure with its RFC 8460 §4.3 result type,
 * from the sessions (a TLSA mismatch, STARTTLS missing where DANE required it) and from the DNS lookups that made
 * the MX host unusable before any connection (`dnssec-invalid`, `dane-required`), and from the MTA-STS steps filed
 * under the link (a policy that could not be fetched, an MX host outside the policy's patterns). Pure.
 */
import type { DnsEvent, MtaStsEvent, SessionEvent, TlsFailureType, TlsPolicyFact } from '../trace/events.js';

/** A failure on a link, named by its RFC 8460 §4.3 result type. */
export interface PolicyFailure {
  type: TlsFailureType;
  detail: string;
  attempt?: number;
}

/** The DNS policy part of a link verdict; empty for a sender that does not route by MX. */
export interface DnsPolicyFacts {
  /** The policy in force on the deciding session (or the lookup that kept the link unused). */
  policy?: { source: TlsPolicyFact['source']; words: string; matched?: string };
  failures?: PolicyFailure[];
  /** What the lookups decided, for the notes. */
  notes: string[];
}

/** The DNS policy facts of one message on one link, from its sessions there and the lookups filed under the link. */
export function dnsPolicyFacts(sessions: readonly SessionEvent[], deciding: SessionEvent | undefined, filed: readonly DnsEvent[], sts: readonly MtaStsEvent[] = []): DnsPolicyFacts {
  const lookups = filed.filter((e) => e.type === 'TLSA');
  if (!sessions.some((s) => s.tlsPolicy) && lookups.length === 0 && sts.length === 0) return { notes: [] };
  const failures: PolicyFailure[] = [
    ...lookups.flatMap((e) => (e.failure ? [{ type: e.failure, detail: e.decision ?? e.outcome }] : [])),
    ...sts.flatMap((e) => (e.failure ? [{ type: e.failure, detail: e.fetch?.detail ?? e.decision }] : [])),
    ...sessions.flatMap((s) => (s.tlsFailure ? [{ type: s.tlsFailure.type, detail: s.tlsFailure.detail, attempt: s.attempt }] : [])),
  ];
  const fact = deciding?.tlsPolicy;
  const lastLookup = lookups.at(-1);
  const lastSts = sts.filter((e) => e.step === 'mx').at(-1);
  const policy = fact
    ? { source: fact.source, words: fact.words, ...(fact.matched ? { matched: fact.matched } : {}) }
    : lastLookup?.failure
      ? { source: 'dane' as const, words: lastLookup.decision ?? '' }
      : lastSts?.failure
        ? { source: 'mta-sts' as const, words: lastSts.decision }
        : undefined;
  // Each attempt looks up again; the same answer is told once.
  const notes = [...new Set([
    ...lookups.map((e) => `DNS: TLSA ${e.name} ${e.outcome === 'answer' ? `answered${e.ad ? ' (validated, AD)' : ' (not validated)'}` : e.outcome}${e.decision ? `: ${e.decision}` : ''}`),
    ...sts.map((e) => `MTA-STS ${e.destination}${e.mxHost ? ` (${e.mxHost})` : ''}: ${e.decision}`),
  ])];
  return { ...(policy ? { policy } : {}), ...(failures.length ? { failures } : {}), notes };
}
