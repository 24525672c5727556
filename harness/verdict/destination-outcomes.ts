/**
 * Per recipient domain outcomes of a message that a hop routing by MX split per destination (RFC 5321 §5.1: each
 * copy is routed and retried on its own, so one domain's mail may arrive while another's waits). Each copy is judged
 * on the links of its own path: the links up to the routing hop, then the links to its domain's MX hosts.
 */
import type { EndToEndName, OutcomeName, Scenario } from '../scenario/schema.js';
import { chainTopology } from '../scenario/schema.js';
import type { BouncedEvent, DeferredEvent, TraceEvent } from '../trace/events.js';
import { endToEndVerdict } from './end-to-end.js';
import type { MessageLinkVerdict } from './sender-witness.js';

/** The routes of a chain that routes by MX: per recipient domain, the names of the links its copies may cross. */
export interface MxRoutes {
  router: string;
  /** Per destination: the links up to the router, then to each of its MX hosts. */
  paths: ReadonlyMap<string, readonly string[]>;
  /** A domain without a zone: the links up to the router only. */
  toRouter: readonly string[];
}

/** One destination's copy of a message. */
export interface DestinationReport {
  /** The recipient domain. */
  destination: string;
  outcome: OutcomeName;
  /** Over the links this copy could cross (links it never reached left out). */
  endToEnd: EndToEndName;
  /** For a copy not delivered: the hop holding it (or that bounced it) and the last reply. */
  stoppedAt?: { hop: string; reply: { code: number; enhanced?: string; text: string } };
  /** The links of this copy's path, judged for this copy alone past the router. */
  links: MessageLinkVerdict[];
}

/** The MX routes of a scenario, or undefined when no hop routes by MX. */
export function mxRoutesOf(scenario: Scenario): MxRoutes | undefined {
  const topology = chainTopology(scenario.hops, scenario.dns);
  if (!topology.router) return undefined;
  const router = topology.router.hop;
  const inbound = new Map(topology.links.map((l) => [l.to, l.name]));
  const toRouter = topology.pathTo(router).map((hop) => inbound.get(hop)!);
  const paths = new Map(Object.entries(scenario.dns ?? {}).map(([domain, zone]) => [domain, [...toRouter, ...zone.mx.map((mx) => `${router}->${mx.hop}`)]]));
  return { router, paths, toRouter };
}

/** The recipient domains of a message's copies, in order of their first `queued` event at the router. */
export function destinationsOf(own: readonly TraceEvent[], routes: MxRoutes): string[] {
  return [...new Set(own.flatMap((e) => (e.kind === 'queued' && e.hop === routes.router && e.destination ? [e.destination] : [])))];
}

/**
 * The links one copy could cross (its domain's path: the links up to the router, then to its MX hosts), each judged
 * for that copy alone past the router, where copies to different domains may share a link but not their sessions.
 * @param judge judges a link for the whole message (`destination` undefined) or for one copy
 */
export function copyLinks(routes: MxRoutes, destination: string, judge: (link: string, destination?: string) => MessageLinkVerdict, linkNames: readonly string[]): MessageLinkVerdict[] {
  const path = new Set(routes.paths.get(destination) ?? routes.toRouter);
  return linkNames.filter((l) => path.has(l)).map((l) => (l.startsWith(`${routes.router}->`) ? judge(l, destination) : judge(l)));
}

/**
 * One copy's outcome from its own events and links.
 * @param endToEnd the copy's end-to-end verdict over the links it crossed (by default endToEndVerdict; a REQUIRETLS
 *   message is judged against its promise instead)
 */
export function destinationReport(
  own: readonly TraceEvent[],
  destination: string,
  links: readonly MessageLinkVerdict[],
  routes: MxRoutes,
  heldBy?: string,
  endToEnd: (reached: MessageLinkVerdict[], delivered: boolean) => EndToEndName = endToEndVerdict,
): DestinationReport {
  const mine = own.filter((e) => 'destination' in e && e.destination === destination);
  const delivered = mine.some((e) => e.kind === 'delivered');
  const bounce = mine.find((e): e is BouncedEvent => e.kind === 'bounced');
  const lastDefer = mine.findLast((e): e is DeferredEvent => e.kind === 'deferred');
  const outcome: OutcomeName = delivered ? 'delivered' : bounce ? 'bounced' : 'deferred';
  const stoppedAt = delivered
    ? undefined
    : bounce
      ? { hop: bounce.hop, reply: bounce.reply }
      : { hop: heldBy ?? routes.router, reply: lastDefer?.reply ?? { code: 0, text: 'no attempt finished before the run ended' } };
  return { destination, outcome, endToEnd: endToEnd(crossed(links, delivered), delivered), ...(stoppedAt ? { stoppedAt } : {}), links: [...links] };
}

/**
 * The links a copy's content could have crossed: not those it never reached and, once it was delivered, not an MX
 * host that refused it before another took it (its path is the one that delivered).
 */
export function crossed(links: readonly MessageLinkVerdict[], delivered: boolean): MessageLinkVerdict[] {
  return links.filter((l) => l.verdict !== 'none' && !(delivered && l.verdict === 'refused'));
}

/**
 * A split message's own outcome: the copies' when they agree, else `mixed` (one copy delivered while another waits
 * or bounced is neither "delivered" nor "bounced"; each copy's outcome is in `destinations`).
 */
export function splitOutcome(copies: readonly DestinationReport[]): OutcomeName | 'mixed' {
  return copies.every((c) => c.outcome === copies[0].outcome) ? copies[0].outcome : 'mixed';
}

/**
 * A split message's own end-to-end verdict from its copies': `leak` or `broken` when any copy's content crossed in
 * clear (true of the message whatever the other copies did); the copies' when they agree; `encrypted` when every copy
 * was delivered over TLS but not every one verified; else `mixed` (a copy delivered over TLS while another was held:
 * the message was neither all delivered nor all held).
 */
export function splitEndToEnd(copies: readonly DestinationReport[]): EndToEndName | 'mixed' {
  const verdicts = copies.map((c) => c.endToEnd);
  for (const worst of ['leak', 'broken'] as const) if (verdicts.includes(worst)) return worst;
  if (verdicts.every((v) => v === verdicts[0])) return verdicts[0];
  return verdicts.every((v) => v === 'encrypted' || v === 'encrypted-verified') ? 'encrypted' : 'mixed';
}
