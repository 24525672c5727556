/**
 * "What would the recipient believe?" (docs/behaviour.md#E-headers-agree): the final mailbox's Received headers,
 * read top-down while they can be trusted, give a per-link TLS claim; the report sets it beside what the
 * witnesses say happened on that link. Pure functions of the trace.
 *
 * Trust walk (docs/behaviour.md#R-trust): the first header must be signed (`by`) by the final hop; each next one by the hop
 * before it in the chain, whose name the previous header gave as its `from` (an address literal such as
 * MessageLabs' `from [ip]` names no host and is accepted). The walk stops at the first header that fails:
 * it and everything below are claimed, not observed (A-received-forgery), and their links read `unknown`.
 */
import type { StoredCopy, TraceIndex } from './trace-index.js';
import type { LinkVerdictName } from '../scenario/schema.js';
import { parseReceived, type Belief, type ReceivedClaim } from './received-claim.js';

export type { Belief, ReceivedClaim } from './received-claim.js';

/** A hop of the chain as the recipient knows it: its id and the names it signs headers with. */
export interface KnownHop {
  id: string;
  names: readonly string[];
}

/** A header the walk trusted, and the link it speaks for (the inbound link of the hop that wrote it). */
export interface TrustedHeader {
  link: string;
  hop: string;
  header: string;
  claim: ReceivedClaim;
}

/** One link of one delivered message: what the headers make a recipient believe against what happened. */
export interface HeaderAccount {
  messageId: string;
  link: string;
  believed: Belief;
  /** What crossed the link, from the link verdict: `tls` only for a real encrypted session (eNULL is `plain`). */
  actual: 'tls' | 'plain' | 'none';
  /** `believed` equals `actual`; false when the recipient would be misled or could not tell. */
  agrees: boolean;
  /** The trusted header behind `believed`, and what it names; absent when the walk stopped above this link. */
  header?: string;
  claim?: { rule: string; protocol?: string; version?: string; cipher?: string };
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Walks `headers` (top-down, unfolded values) through the chain `hops` (in order, the final mailbox last).
 * @returns the trusted headers, top-down: the last link first.
 */
export function trustedHeaders(headers: readonly string[], hops: readonly KnownHop[]): TrustedHeader[] {
  const trusted: TrustedHeader[] = [];
  let expected = hops.length - 1;
  let previous: ReceivedClaim | undefined;
  for (const header of headers) {
    const hop = hops[expected];
    if (!hop) break;
    const claim = parseReceived(header);
    if (!hop.names.some((n) => same(claim.by, n))) break;
    // The previous header's `from` must be this hop, unless it names no host at all (an address literal).
    if (previous?.from.name !== undefined && !hop.names.some((n) => same(previous!.from.name, n))) break;
    trusted.push({ link: `${expected === 0 ? 'client' : hops[expected - 1].id}->${hop.id}`, hop: hop.id, header, claim });
    previous = claim;
    expected--;
  }
  return trusted;
}

function actualOf(verdict: LinkVerdictName | undefined): HeaderAccount['actual'] {
  if (verdict === 'tls' || verdict === 'tls-verified') return 'tls';
  if (verdict === 'downgraded' || verdict === 'stripped' || verdict === 'plain') return 'plain';
  return 'none';
}

/** The chain as a recipient knows it: each hop with the names it signs headers with (TraceIndex.hopNames: whatever kind of hop it is). */
export function knownHops(index: TraceIndex, hopIds: readonly string[]): KnownHop[] {
  return hopIds.map((id) => ({ id, names: index.hopNames(id) }));
}

/**
 * The header accounts of one delivery to the final mailbox: for each link of the chain, what the
 * mailbox's trusted Received headers claim and whether the link verdict agrees. O(hops).
 * @param delivery the final hop's stored copy, with its headers: a mock's `accepted` event, a real engine's `delivered`.
 * @param hops the chain in order ({@link knownHops}); `verdictOf` gives the judged verdict of the message on a link.
 */
export function headerAccountsOf(
  delivery: StoredCopy,
  hops: readonly KnownHop[],
  verdictOf: (messageId: string, link: string) => LinkVerdictName | undefined,
): HeaderAccount[] {
  const byLink = new Map<string, TrustedHeader>();
  for (const t of trustedHeaders(delivery.received?.headers ?? [], hops)) if (!byLink.has(t.link)) byLink.set(t.link, t);
  return hops.map(({ id }, i): HeaderAccount => {
    const link = `${i === 0 ? 'client' : hops[i - 1].id}->${id}`;
    const t = byLink.get(link);
    const believed = t?.claim.believed ?? 'unknown';
    const actual = actualOf(verdictOf(delivery.messageId, link));
    const claim = t && {
      rule: t.claim.rule,
      ...(t.claim.protocol ? { protocol: t.claim.protocol } : {}),
      ...(t.claim.tls?.version ? { version: t.claim.tls.version } : {}),
      ...(t.claim.tls?.cipher ? { cipher: t.claim.tls.cipher } : {}),
    };
    return { messageId: delivery.messageId, link, believed, actual, agrees: believed === actual, ...(t ? { header: t.header, claim } : {}) };
  });
}
