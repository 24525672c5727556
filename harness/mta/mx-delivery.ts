/**
 * One delivery attempt of a hop that routes by MX (`outbound.route: mx`), for one destination's copy of a message:
 * the MX lookup in the run's DNS, then each MX host in preference order (RFC 5321 §5.1), the next one after a
 * failure to connect or a temporary failure, until one accepts, refuses for good (5xx) or none is left. Each MX
 * host is reached over its own link, so each try is witnessed there. Every lookup is recorded as a `dns` event.
 */
import { domainToASCII } from 'node:url';
import type { Trace } from '../trace/trace.js';
import type { TlsFailureType } from '../trace/events.js';
import { dnsLookup, type DnsLookup, type DnsServerAddress } from '../dns/dns-lookup.js';
import { deliverAttempt } from './deliver-attempt.js';
import type { AttemptOutcome, QueuedMessage, RelayTarget } from './relay-target.js';
import type { KeptSession } from './kept-session.js';

/** Where a hop that routes by MX looks up, and how it reaches each MX host. */
export interface MxRouting {
  /** The routing hop's id. */
  hop: string;
  /** The run's DNS server. */
  dns: DnsServerAddress;
  /** Real time, ms, a lookup may take before it counts as timed out. */
  dnsTimeoutMs: number;
  /** Per MX target hostname (`<hop>.mailhop.test`), the relay target over its link. */
  targets: ReadonlyMap<string, RelayTarget>;
  /** The link MX lookups are filed under (the hop's first route). */
  firstLink: string;
  trace: Trace;
  /** Virtual clock reading, ms: how long a cached answer is kept (its TTL). */
  now: () => number;
  /**
   * Answers kept for their TTL, as the validating resolver a DANE client runs beside it caches them (RFC 1035 §7.4),
   * and failures (SERVFAIL, REFUSED, no answer) for {@link FAILURE_TTL_MS}, as RFC 2308 §7.1 lets a resolver keep a
   * server failure. One cache per routing hop.
   */
  cache: Map<string, { found: DnsLookup; until: number }>;
}

/** TTL of the run's DNS answers, ms (dns-server.ts serves every record with 300 s). */
const TTL_MS = 300_000;

/**
 * How long a failed lookup is kept, ms of virtual time: RFC 2308 §7.1's most for a server failure (5 minutes). A
 * timeout costs real time (the resolver waits `dnsTimeoutMs`), so without this a retry every virtual second to a zone
 * that never answers would cost a real second each.
 */
const FAILURE_TTL_MS = 300_000;

/** A lookup through the routing hop's cache: a validated answer or NXDOMAIN is kept for its TTL (virtual time). */
export async function cachedLookup(routing: MxRouting, name: string, type: DnsLookup['type']): Promise<DnsLookup & { cached?: boolean }> {
  const key = `${name}\0${type}`;
  const hit = routing.cache.get(key);
  if (hit && hit.until > routing.now()) return { ...hit.found, cached: true };
  const found = await dnsLookup(routing.dns, name, type, routing.dnsTimeoutMs);
  const ttl = found.outcome === 'answer' || found.outcome === 'nxdomain' ? TTL_MS : FAILURE_TTL_MS;
  routing.cache.set(key, { found, until: routing.now() + ttl });
  return found;
}

/** A message copy for one destination, as the queue hands it over. */
export type RoutedCopy = QueuedMessage & { destination: string };

/**
 * Splits recipients by domain (case-insensitive), in order of first appearance: one copy per destination. A domain in
 * Unicode (an SMTPUTF8 recipient, RFC 6531) is looked up, and named, by its A-label (`xn--…`, RFC 5890 §2.3.2.1), as
 * DNS holds it; one that has none stays as written.
 */
export function splitByDomain(to: readonly string[]): Array<{ destination: string; to: string[] }> {
  const groups = new Map<string, string[]>();
  for (const rcpt of to) {
    const written = rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase();
    const domain = domainToASCII(written) || written;
    groups.set(domain, [...(groups.get(domain) ?? []), rcpt]);
  }
  return [...groups].map(([destination, recipients]) => ({ destination, to: recipients }));
}

/** The records of a lookup in presentation form (RFC 1035 §5.1, RFC 6698 §2.2), long data shortened. */
export function presentAnswers(found: DnsLookup): string[] {
  return found.records.map((r) => {
    const data = (r as { data: unknown }).data;
    if (r.type === 'MX') return `${(data as { preference: number }).preference} ${(data as { exchange: string }).exchange}`;
    if (r.type === 'TLSA') {
      const t = data as { usage: number; selector: number; matchingType: number; certificate: Buffer };
      const hex = t.certificate.toString('hex');
      return `${t.usage} ${t.selector} ${t.matchingType} ${hex.length > 64 ? `${hex.slice(0, 16)}…(${t.certificate.length} bytes)` : hex}`;
    }
    if (r.type === 'TXT') return (Array.isArray(data) ? data : [data]).map((d) => String(d)).join('');
    return String(data);
  });
}

/** What a lookup decided, recorded on its `dns` event. */
export interface LookupDecision {
  decision?: string;
  failure?: TlsFailureType;
}

/** Records a lookup made for a copy, with what it decided. */
export function recordLookup(routing: MxRouting, copy: RoutedCopy, link: string, found: DnsLookup, decided: LookupDecision = {}): void {
  routing.trace.emit({
    kind: 'dns', source: 'sender', link, hop: routing.hop, messageId: copy.id, destination: copy.destination,
    name: found.name, type: found.type, outcome: found.outcome, ad: found.ad, answers: presentAnswers(found),
    ...((found as { cached?: boolean }).cached ? { cached: true } : {}), ...decided,
  });
}

type Reply = AttemptOutcome['reply'];
const reply = (code: number, enhanced: string, text: string): Reply => ({ code, enhanced, text: `${code} ${enhanced} ${text}` });

/**
 * The MX hosts of a destination, most preferred first (equal preferences keep the zone's order, so runs repeat),
 * or the outcome that ends the attempt when there are none to try.
 */
async function mxHosts(routing: MxRouting, copy: RoutedCopy): Promise<{ hosts: string[]; secure: boolean } | AttemptOutcome> {
  const found = await cachedLookup(routing, copy.destination, 'MX');
  if (found.outcome === 'servfail' || found.outcome === 'timeout' || found.outcome === 'refused') {
    recordLookup(routing, copy, routing.firstLink, found, { decision: 'the MX lookup failed: the copy waits for its next attempt' });
    // RFC 5321 §5.1: a temporary lookup failure defers; RFC 3463 4.4.3, directory server failure. REFUSED (the run's
    // DNS has no zone for the domain) is no answer about the domain either: a resolver passes it on as a failure.
    const why = found.outcome === 'timeout' ? 'no answer' : found.outcome === 'refused' ? `REFUSED (the run's DNS has no zone for ${copy.destination})` : 'SERVFAIL';
    return { result: 'deferred', reply: reply(451, '4.4.3', `MX lookup for ${copy.destination} failed: ${why}`) };
  }
  recordLookup(routing, copy, routing.firstLink, found);
  const hosts = found.records
    .map((r, i) => ({ i, mx: (r as { data: { preference: number; exchange: string } }).data }))
    .sort((a, b) => a.mx.preference - b.mx.preference || a.i - b.i)
    .map(({ mx }) => mx.exchange.toLowerCase());
  if (hosts.length === 0) {
    // No MX and (in the run's DNS) no address for the domain either: RFC 5321 §5.1's implicit MX finds nothing.
    return { result: 'bounced', reply: reply(550, '5.1.2', `${copy.destination}: no MX records (DNS answered ${found.outcome === 'answer' ? 'no data' : found.outcome.toUpperCase()})`) };
  }
  return { hosts, secure: found.ad };
}

/**
 * A REQUIRETLS copy under `requireTls: enforce` (absent: enforce) may go only to MX hosts found by a protected lookup
 * (RFC 8689 §4.2.1: the MX answer DNSSEC-validated, or the MX host named by an MTA-STS policy in enforce mode); a host
 * that is neither is passed by, and with none left the copy is returned at once, as for a failed TLS step (§5,
 * 5.7.10). Undefined when every host may be used: no REQUIRETLS, a lower `requireTls` level, or a validated answer.
 */
function requireTlsNeedsSecureMx(routing: MxRouting, copy: RoutedCopy, secure: boolean): AttemptOutcome | undefined {
  if (!copy.requireTls || secure) return undefined;
  const first = routing.targets.values().next().value;
  if (!first || (first.policy.requireTls ?? 'enforce') !== 'enforce') return undefined;
  return {
    result: 'bounced',
    reply: reply(550, '5.7.10', `REQUIRETLS: the MX lookup for ${copy.destination} was not DNSSEC-validated and no MTA-STS policy in enforce mode names the MX host, so no MX host may be trusted with the message (RFC 8689 §4.2.1)`),
  };
}

/** Whether an MTA-STS policy in enforce mode vouches for the host the target goes to (RFC 8461 §4.1 pattern match). */
const stsValidated = (target: RelayTarget) => target.dnsPolicy?.fact.source === 'mta-sts' && target.dnsPolicy.fact.stsMode === 'enforce';

/**
 * One attempt for one destination's copy: MX lookup, then the MX hosts in order.
 * @param tryHost decides for one MX host, e.g. DANE (dane-policy.ts): a target (perhaps with a stricter policy) to
 *   deliver over, or an outcome that passes the host by; default: the host's own target as it is.
 * Never throws: failures are `deferred` (tried again later) or `bounced` outcomes.
 */
export async function deliverViaMx(
  routing: MxRouting,
  copy: RoutedCopy,
  attempt: number,
  kept?: KeptSession,
  tryHost: (host: string, target: RelayTarget, mxSecure: boolean) => Promise<RelayTarget | AttemptOutcome> = async (_, target) => target,
): Promise<AttemptOutcome> {
  const found = await mxHosts(routing, copy);
  if (!('hosts' in found)) return { ...found, link: routing.firstLink };
  const { hosts, secure } = found;
  const unprotected = requireTlsNeedsSecureMx(routing, copy, secure);
  let last: AttemptOutcome | undefined;
  for (const host of hosts) {
    const target = routing.targets.get(host);
    if (!target) {
      last = { result: 'deferred', reply: reply(451, '4.4.4', `MX host ${host} is not a hop of the chain`), link: routing.firstLink };
      continue;
    }
    const decided = await tryHost(host, target, secure);
    // An MX host nothing vouches for gets no connection; the bounce stands only if no other host is tried (below).
    if (unprotected && !('result' in decided) && !stsValidated(decided)) continue;
    const outcome = 'result' in decided ? decided : await deliverAttempt(decided, copy, attempt, kept);
    last = { ...outcome, link: target.link };
    // A 5xx is the destination's answer, not this host's trouble: no other MX is asked (RFC 5321 §4.2.1).
    if (outcome.result !== 'deferred') return last;
  }
  return last ?? { ...unprotected!, link: routing.firstLink };
}
