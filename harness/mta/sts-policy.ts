/**
 * MTA-STS (RFC 8461) as a hop that routes by MX applies it, per copy and attempt:
 * - discovery (§3.1, §5.1): the `_mta-sts.<domain>` TXT id; a cached policy that has not outlived its max_age and
 *   carries the same id is used as it is, otherwise the policy is fetched (§3.3, mta-sts/policy-fetch.ts) and replaces
 *   the cached one. A failed fetch, or no TXT record, leaves a cached policy in force (§3.3); without one the domain
 *   is treated as having no policy, the failure recorded by its RFC 8460 result type;
 * - each MX host (§4, §5): under `enforce`, only hosts matching the policy's patterns, over STARTTLS with a
 *   certificate valid for the MX name by the run's CA (the session's `verify`); a host that fails is passed by for the
 *   next one, and with none left the copy waits, never in clear; under `testing`, the hop's own policy, failures
 *   recorded; `none`: no policy.
 * DANE wins where both apply (RFC 8461 §2): chain-dns.ts asks this only for hosts DANE left alone.
 * Under `outbound.mtaStsCheck: policy-map` an enforce policy is applied as Postfix with postfix-mta-sts-resolver does
 * (observed with Postfix 3.7 + postfix-mta-sts-resolver 1.1.2, docs/behaviour.md#B-mta-sts-postfix): every MX host is
 * tried, the certificate's names are checked against the patterns, and the policy replaces DANE for the domain.
 */
import type { MtaStsCheck, StsCache } from '../scenario/sts-policy.js';
import type { MtaStsEvent, TlsFailureType } from '../trace/events.js';
import { fetchPolicy, type FetchSetup } from '../mta-sts/policy-fetch.js';
import { matchingPattern, stsTxtId, type StsPolicy } from '../mta-sts/policy-text.js';
import { policyMapMatch } from '../mta-sts/policy-map.js';
import { policyHostname } from '../mta-sts/policy-host.js';
import { cachedLookup, presentAnswers, recordLookup, type MxRouting, type RoutedCopy } from './mx-delivery.js';
import { ownPolicyFact } from './dane-policy.js';
import type { AttemptOutcome, RelayTarget } from './relay-target.js';

/** A policy a sender holds: its id, the policy, and when it was fetched (virtual ms; negative: before the run). */
export interface HeldPolicy {
  id: string;
  policy: StsPolicy;
  fetchedAt: number;
}

/** One routing hop's MTA-STS state: its cache by domain, and how it fetches. */
export interface StsSender {
  cache: Map<string, HeldPolicy>;
  fetch: FetchSetup;
}

/** The sender's state, its cache seeded from `outbound.mtaStsCache` (ages before the run, on the virtual clock). */
export function stsSender(seed: StsCache | undefined, fetch: FetchSetup): StsSender {
  const cache = new Map<string, HeldPolicy>();
  for (const [domain, p] of Object.entries(seed ?? {})) {
    cache.set(domain, { id: p.id, policy: { mode: p.mode, mx: p.mx, maxAge: Math.floor(p.maxAge / 1000) }, fetchedAt: -p.age });
  }
  return { cache, fetch };
}

/** The policy that applies to a copy: the one held (fetched or cached), or undefined for none. */
export type AppliedPolicy = (HeldPolicy & { from: 'fetched' | 'cache' }) | undefined;

const expiresAt = (held: HeldPolicy) => held.fetchedAt + held.policy.maxAge * 1000;
const described = (p: StsPolicy) => `mode ${p.mode}, mx ${p.mx.join(' ') || '(none)'}, max_age ${p.maxAge}`;

/**
 * Policy discovery for a copy's destination (RFC 8461 §3, §5.1), recorded as one `mta-sts` event (step `policy`) and
 * its lookups, filed under `link`: the link to the destination's first MX host, so a failure is told with that domain.
 */
export async function discoverPolicy(routing: MxRouting, sts: StsSender, copy: RoutedCopy, link: string): Promise<AppliedPolicy> {
  const domain = copy.destination;
  const now = routing.now();
  const cached = sts.cache.get(domain);
  const live = cached && expiresAt(cached) > now ? cached : undefined;
  const held = (h: HeldPolicy, from: 'fetched' | 'cache') => ({ ...h, from });
  const emit = (e: Pick<MtaStsEvent, 'decision'> & Partial<MtaStsEvent>, applied: AppliedPolicy) => {
    routing.trace.emit({
      kind: 'mta-sts', source: 'sender', link, hop: routing.hop, messageId: copy.id, destination: domain, step: 'policy',
      ...(applied ? { policy: { id: applied.id, ...applied.policy, from: applied.from } } : {}), ...e,
    });
    return applied;
  };
  const cachedWords = (h: HeldPolicy) => `the cached policy (id ${h.id}, ${described(h.policy)}) applies until it expires (RFC 8461 §3.3)`;
  const txt = await cachedLookup(routing, `_mta-sts.${domain}`, 'TXT');
  const announced = txt.outcome === 'answer' ? stsTxtId(presentAnswers(txt)) : { none: txt.outcome === 'nxdomain' ? 'no TXT record' : `the TXT lookup failed (${txt.outcome})` };
  recordLookup(routing, copy, link, txt, { decision: 'id' in announced ? `${domain} announces an MTA-STS policy, id ${announced.id}` : `${domain} announces no MTA-STS policy: ${announced.none}` });
  if (!('id' in announced)) {
    return live ? emit({ decision: `${domain} announces no policy now, but ${cachedWords(live)}` }, held(live, 'cache')) : emit({ decision: `${domain} has no MTA-STS policy (${announced.none})` }, undefined);
  }
  if (live && live.id === announced.id) return emit({ decision: `policy id ${announced.id} unchanged: the cached policy (${described(live.policy)}) applies` }, held(live, 'cache'));
  const address = await cachedLookup(routing, policyHostname(domain), 'A');
  const addresses = presentAnswers(address);
  recordLookup(routing, copy, link, address);
  const fetched = await fetchPolicy(domain, addresses[0], sts.fetch);
  const fetch = {
    url: fetched.url, ok: fetched.ok, ...(fetched.address ? { address: fetched.address } : {}), ...(fetched.status ? { status: fetched.status } : {}),
    ...(fetched.contentType ? { contentType: fetched.contentType } : {}), ...(fetched.ok ? {} : { detail: fetched.detail }),
  };
  if (fetched.ok) {
    // RFC 8461 §5.1: a fetched policy replaces the one held, whatever its mode.
    const fresh = { id: announced.id, policy: fetched.policy, fetchedAt: now };
    sts.cache.set(domain, fresh);
    const why = live ? `id ${live.id} changed to ${announced.id}: fetched anew` : cached ? `the cached policy had expired: fetched anew` : 'fetched';
    return emit({ fetch, decision: `${why}: ${described(fetched.policy)}` }, held(fresh, 'fetched'));
  }
  const failure: TlsFailureType = fetched.failure;
  if (live) return emit({ fetch, failure, decision: `the fetch failed (${fetched.detail}), but ${cachedWords(live)}` }, held(live, 'cache'));
  return emit({ fetch, failure, decision: `the fetch failed (${fetched.detail}) and no policy is cached: delivered as though ${domain} had no MTA-STS (RFC 8461 §3.3)` }, undefined);
}

/** A host the policy keeps the copy off: a temporary failure, so the next MX is tried and the copy finally waits. */
function passedBy(text: string): AttemptOutcome {
  return { result: 'deferred', reply: { code: 451, enhanced: '4.7.5', text: `451 4.7.5 ${text}` } };
}

/** Whether the applied policy is one `mtaStsCheck: policy-map` lets replace DANE for the domain (enforce, as Postfix's `secure` entry). */
export const replacesDane = (applied: AppliedPolicy, check: MtaStsCheck): boolean => check === 'policy-map' && applied?.policy.mode === 'enforce';

/**
 * The target to deliver over for one MX host under the applied policy, or the outcome that passes the host by.
 * @param target the host's target as DANE left it (no DANE policy on it).
 * @param check `mx-host` (RFC 8461 §4.1, §4.2) or `policy-map` (Postfix with postfix-mta-sts-resolver: every MX host
 *   tried, the certificate's names checked against the patterns, mta-sts/policy-map.ts).
 */
export function stsTarget(routing: MxRouting, copy: RoutedCopy, applied: AppliedPolicy, host: string, target: RelayTarget, check: MtaStsCheck = 'mx-host'): RelayTarget | AttemptOutcome {
  if (!applied || applied.policy.mode === 'none') {
    const why = applied ? `${copy.destination}'s MTA-STS policy is mode none` : `${copy.destination} has no MTA-STS policy in force`;
    return { ...target, dnsPolicy: { fact: ownPolicyFact(target, why), requiresTls: false, tlsa: [] } };
  }
  const { policy, id } = applied;
  const pattern = matchingPattern(policy, host);
  const record = (decision: string, failure?: TlsFailureType) =>
    routing.trace.emit({
      kind: 'mta-sts', source: 'sender', link: target.link, hop: routing.hop, messageId: copy.id, destination: copy.destination, step: 'mx', mxHost: host,
      policy: { id, ...policy, from: applied.from }, decision, ...(failure ? { failure } : {}),
    });
  const patterns = policy.mx.join(', ');
  // What a TLS-RPT report names the policy by (RFC 8460 §4.4): its lines and its MX patterns.
  const reported = { policyString: ['version: STSv1', `mode: ${policy.mode}`, ...policy.mx.map((mx) => `mx: ${mx}`), `max_age: ${policy.maxAge}`], mxHost: [...policy.mx] };
  if (policy.mode === 'enforce' && check === 'policy-map') {
    const match = policyMapMatch(policy);
    if (!pattern) record(`mx-mismatch: ${host} matches none of ${patterns}: tried all the same, as Postfix's policy map (secure match=${match.join(':')}) leaves it to the certificate (mtaStsCheck: policy-map)`, 'validation-failure');
    const words = `${copy.destination} publishes MTA-STS enforce (id ${id}, ${applied.from === 'cache' ? 'cached' : 'fetched'}), applied as Postfix's policy map: TLS required, the certificate verified and one of its names matching secure match=${match.join(':')}`;
    return { ...target, dnsPolicy: { fact: { source: 'mta-sts', words, stsMode: 'enforce', ...reported }, requiresTls: true, verifies: true, certMatch: match, tlsa: [] } };
  }
  if (policy.mode === 'enforce') {
    if (!pattern) {
      record(`mx-mismatch: ${host} matches none of ${patterns}: not used under enforce (RFC 8461 §4.1)`, 'validation-failure');
      return passedBy(`MTA-STS policy of ${copy.destination} (enforce) does not list MX host ${host}`);
    }
    const words = `${copy.destination} publishes MTA-STS enforce (id ${id}, ${applied.from === 'cache' ? 'cached' : 'fetched'}), ${host} matches ${pattern}: TLS required with a certificate valid for ${host}`;
    return { ...target, dnsPolicy: { fact: { source: 'mta-sts', words, stsMode: 'enforce', ...reported }, requiresTls: true, verifies: true, tlsa: [] } };
  }
  if (!pattern) record(`mx-mismatch: ${host} matches none of ${patterns}: used anyway, the policy is in testing mode (RFC 8461 §5)`, 'validation-failure');
  const words = `${copy.destination} publishes MTA-STS testing (id ${id}): delivered under the hop's own policy (tls: ${target.policy.tls}), failures recorded`;
  return { ...target, dnsPolicy: { fact: { source: 'mta-sts', words, stsMode: 'testing', ...reported }, requiresTls: false, reportsOnly: true, tlsa: [] } };
}
