/**
 * The run's DNS for a chain with a `dns:` block: its answers made from the zones and the hops' certificates (the
 * TLSA records' data), its server started on the chain's loopback host, and the MX routing of the hop that routes
 * by MX (mta/mx-delivery.ts) over that hop's relay targets.
 */
import type { RunPki, KeyCert } from '../pki/run-pki.js';
import { dnsAnswers, hopHostname } from '../dns/dns-answers.js';
import { startDnsServer, type StartedDnsServer } from '../dns/dns-server.js';
import type { DnsServerAddress } from '../dns/dns-lookup.js';
import { deliverViaMx, type MxRouting, type RoutedCopy } from '../mta/mx-delivery.js';
import { daneTarget } from '../mta/dane-policy.js';
import { discoverPolicy, replacesDane, stsSender, stsTarget, type AppliedPolicy, type StsSender } from '../mta/sts-policy.js';
import { startPolicyHosts, type StartedPolicyHosts } from '../mta-sts/policy-host.js';
import type { AttemptOutcome, QueuedMessage, RelayTarget } from '../mta/relay-target.js';
import { MailhopError } from '../errors.js';
import { ENGINE_DNS_PORT, honorsMtaSts, routesByMx } from '../engines/engine-dns.js';
import { listenOnFreshAddress } from '../engines/free-address.js';
import type { ChainPlan, PlannedSender } from './plan-chain.js';
import type { ChainRecords } from './chain-records.js';

/** Real time, ms, a lookup in the run's DNS may take before it counts as timed out (a `timeout` zone never answers). */
export const DNS_TIMEOUT_MS = 1_000;

/**
 * Limit of an MTA-STS policy fetch, ms (RFC 8461 §3.3 asks senders for one; postfix-mta-sts-resolver's default is a
 * few seconds). Against a policy host that never answers it runs on the virtual clock (chain/stalled-connections.ts).
 */
export const STS_FETCH_TIMEOUT_MS = 10_000;

/** The run's DNS server and the MTA-STS policy hosts its zones name, stopped together. */
export type RunDns = StartedDnsServer & { policyHosts: StartedPolicyHosts };

/** The stall registry's key for the fetches of `domain`'s policy. */
const stallKey = (domain: string) => `mta-sts.${domain}`;

/**
 * Indexes of the hops a real engine reaches by MX (the hop after an engine whose outbound says `route: mx`): their
 * link proxies listen on port 25 of an address of their own, which their A record gives (engines/engine-dns.ts).
 */
export function engineMxTargets(plan: ChainPlan): number[] {
  return plan.scenario.hops.flatMap((hop, i) => (hop.engine !== 'mock' && hop.engine !== 'external' && routesByMx(hop.outbound) && i + 1 < plan.hops.length ? [i + 1] : []));
}

/**
 * Whether a real engine of `plan` fetches MTA-STS policies itself (Postfix with its policy resolver,
 * engines/mta-sts-daemon.ts): the policy hosts must then listen on port 443, the only one it fetches from.
 */
export function engineFetchesPolicies(plan: ChainPlan): boolean {
  return plan.scenario.hops.some((hop) => hop.engine !== 'mock' && hop.engine !== 'external' && honorsMtaSts(hop.outbound));
}

/**
 * Starts the run's DNS server for `plan` (which must have `scenario.dns`): on an ephemeral port of the chain's host,
 * or, when a real engine routes by MX, on port 53 of a loopback address of its own (127.53.x.y), the only port the
 * engine's resolver asks on.
 * @param certs per hop index, the certificate it serves (null for a hop without one).
 * @param proxies per hop index, where its link proxy listens: the A record of a hop a real engine reaches by MX.
 * The policy hosts listen on ephemeral ports, or on port 443 when a real engine fetches policies ({@link engineFetchesPolicies}).
 * @throws MailhopError `ESTART` when a zone lists TLSA records for a hop that serves no certificate of mailhop's, or
 *   port 53 or 443 cannot be listened on.
 */
export async function startRunDns(plan: ChainPlan, pki: RunPki, certs: ReadonlyArray<KeyCert | null>, records: ChainRecords, proxies: ReadonlyArray<{ host: string }> = []): Promise<RunDns> {
  const zones = plan.scenario.dns!;
  const tlsaHops = new Set(Object.values(zones).flatMap((z) => Object.keys(z.tlsa)));
  const sources = new Map<string, { served: string; old: string; issuer: string }>();
  for (const hop of plan.hops) {
    if (!tlsaHops.has(hop.id)) continue;
    const served = certs[hop.index];
    if (!served) {
      throw MailhopError.of('ESTART', { where: `hop ${hop.id}`, hop: hop.id, what: 'publish TLSA records', why: 'the hop serves no certificate mailhop issued' });
    }
    // A certificate for the same name with another key: what the hop served before a key roll.
    const old = await pki.issue(hop.hostname, 'valid');
    sources.set(hop.id, { served: served.cert, old: old.cert, issuer: pki.ca.cert });
  }
  const engineTargets = new Map(engineMxTargets(plan).map((i) => [plan.hops[i].id, proxies[i]?.host ?? plan.host]));
  const at = engineFetchesPolicies(plan) ? ({ port: 443 } as const) : ({ port: 0 } as const);
  const policyHosts = await startPolicyHosts(zones, pki, (domain, port) => records.stalls.stalled(stallKey(domain), port), (r) =>
    records.trace.emit({ kind: 'policy-served', source: 'policy-host', link: stallKey(r.domain), ...r }), at).catch((err: unknown) => {
    if (at.port === 0) throw err;
    throw MailhopError.of('ESTART', { where: `scenario ${plan.scenario.name}`, what: 'serve the MTA-STS policy hosts on port 443', why: `${(err as Error).message} (Postfix's policy resolver fetches from port 443 only; listening there needs root)`, cause: err });
  });
  const answers = dnsAnswers(zones, (hop) => sources.get(hop)!, (domain) => policyHosts.addressOf(domain), (hop) => engineTargets.get(hop) ?? '127.0.0.1');
  let server: StartedDnsServer;
  try {
    server = engineTargets.size === 0
      ? await startDnsServer(answers, plan.host)
      : await listenOnFreshAddress(53, ENGINE_DNS_PORT, (host, port) => startDnsServer(answers, host, port)).catch((err: unknown) => {
        throw MailhopError.of('ESTART', { where: `scenario ${plan.scenario.name}`, what: `serve the run's DNS on port ${ENGINE_DNS_PORT}`, why: `${(err as Error).message} (a real engine's resolver asks on port 53 only; listening there needs root)`, cause: err });
      });
  } catch (err) {
    await policyHosts.stop();
    throw err;
  }
  const stop = async () => {
    await Promise.all([server.stop(), policyHosts.stop()]);
  };
  return { address: server.address, queries: server.queries, policyHosts, stop, [Symbol.asyncDispose]: stop };
}

/** The MX routing of the hop that routes by MX: its targets by MX hostname, and where its lookups go. */
export function mxRouting(plan: ChainPlan, records: ChainRecords, sender: PlannedSender, dns: DnsServerAddress, targets: readonly RelayTarget[]): MxRouting {
  const byHost = new Map(targets.map((t, i) => {
    const link = plan.links.find((l) => l.name === sender.routes[i])!;
    return [hopHostname(link.to), t] as const;
  }));
  return {
    hop: sender.id, dns, dnsTimeoutMs: DNS_TIMEOUT_MS, targets: byHost, firstLink: sender.routes[0], trace: records.trace,
    now: () => records.clock.now(), cache: new Map(),
  };
}

/**
 * One attempt of the routing hop for one copy: its MX hosts in order, each under DANE as the hop's `dane` says
 * (dane-policy.ts), then MTA-STS where DANE left the host alone; under `mtaStsCheck: policy-map` an enforce policy
 * comes first and DANE is not looked up (sts-policy.ts). Sessions are not kept across attempts: a session kept for
 * one MX host is none for another.
 */
export function routedDelivery(routing: MxRouting, policy: RelayTarget['policy'], sts?: StsSender): (message: QueuedMessage, attempt: number) => Promise<AttemptOutcome> {
  const dane = policy.dane ?? 'ignore';
  const check = policy.mtaStsCheck ?? 'mx-host';
  return async (message, attempt) => {
    const copy = message as RoutedCopy;
    // Discovered once per attempt, at the first MX host, whatever DANE then decides for each host.
    let applied: Promise<AppliedPolicy> | undefined;
    return deliverViaMx(routing, copy, attempt, undefined, async (host, target, secure) => {
      if (sts) applied ??= discoverPolicy(routing, sts, copy, target.link);
      const policy = await applied;
      // Postfix's policy map answers `secure` for a domain with an enforce policy, replacing its level dane: no TLSA
      // lookup at all (mtaStsCheck: policy-map, docs/behaviour.md#B-mta-sts-postfix).
      if (sts && replacesDane(policy, check)) return stsTarget(routing, copy, policy, host, target, check);
      const decided = await daneTarget(routing, copy, host, target, secure, dane);
      // RFC 8461 §2: where DANE decides for a host (usable or unusable TLSA under DNSSEC, a failed lookup), MTA-STS does not.
      if (!sts || 'result' in decided || decided.dnsPolicy?.fact.source === 'dane') return decided;
      return stsTarget(routing, copy, policy, host, decided, check);
    });
  };
}

/**
 * The MTA-STS state of the routing hop when its outbound says `mtaSts: honor` (its cache seeded from `mtaStsCache`),
 * else undefined: MTA-STS is not looked at.
 */
export function routingSts(records: ChainRecords, policy: RelayTarget['policy'], dns: RunDns, ca: string): StsSender | undefined {
  if (policy.mtaSts !== 'honor') return undefined;
  return stsSender(policy.mtaStsCache, {
    portOf: (address) => dns.policyHosts.portOf(address),
    ca: [ca],
    timeoutMs: STS_FETCH_TIMEOUT_MS,
    waitsFor: (domain, port) => records.stalls.waitsFor(stallKey(domain), port),
  });
}
