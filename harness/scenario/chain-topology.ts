/**
 * Who delivers to whom. Without MX routing a chain is a line: the client delivers to the first hop and each hop
 * to the next, the last one being the final mailbox. A mock hop whose outbound says `route: mx` instead looks the
 * recipient domains up in the run's DNS (RFC 5321 §5.1): it has one link to every hop named in an MX record (the
 * hops after it), and each of those is a final mailbox of its own. Every hop still has exactly one inbound link,
 * so `links[i]` reaches `hops[i]` in both shapes.
 */
import type { DnsZones } from './dns-zones.js';

/** A link of the chain: `from` (a hop id or `client`) delivers to `hops[toIndex]`. */
export interface TopologyLink {
  /** `from->to`. */
  name: string;
  from: string;
  to: string;
  toIndex: number;
}

/** The shape of a chain, from its hops and its `dns:` block. */
export interface ChainTopology {
  /** In hop order: `links[i]` reaches `hops[i]`. */
  links: TopologyLink[];
  /** Hops that store what they receive (the last hop, or every MX target of a routed chain). */
  mailboxes: string[];
  /** The hop that routes by MX, with the names of its links (one per MX target, in hop order). */
  router?: { hop: string; routes: string[] };
  /** The hops a message passes to reach `hop`, first hop first, `hop` last. */
  pathTo(hop: string): string[];
}

/** What the topology reads of a hop. */
export interface TopologyHop {
  id: string;
  engine?: string;
  outbound?: object;
}

/** Whether a hop routes by MX: a mock whose outbound says `route: mx`. */
function routesByMx(hop: TopologyHop): boolean {
  return (hop.engine ?? 'mock') === 'mock' && !!hop.outbound && 'route' in hop.outbound && hop.outbound.route === 'mx';
}

/** A zone's MX records that name a hop (a zone read before its parse finished may hold anything). */
function mxOf(zone: unknown): Array<{ hop: string }> {
  const mx = (zone as { mx?: unknown } | null)?.mx;
  return Array.isArray(mx) ? mx.filter((r): r is { hop: string } => typeof (r as { hop?: unknown } | null)?.hop === 'string') : [];
}

/** Hop ids named by an MX record of any zone, in order of first mention. */
export function mxTargets(dns: DnsZones | undefined): string[] {
  return [...new Set(Object.values(dns ?? {}).flatMap((zone) => mxOf(zone).map((mx) => mx.hop)))];
}

/** The hop whose outbound says `route: mx`, if one does. */
function routerIndex(hops: readonly TopologyHop[]): number {
  return hops.findIndex(routesByMx);
}

/** The chain's links and mailboxes. Assumes a scenario that passed {@link topologyProblems}. */
export function chainTopology(hops: readonly TopologyHop[], dns?: DnsZones): ChainTopology {
  const r = routerIndex(hops);
  const targets = new Set(r >= 0 ? mxTargets(dns) : []);
  const links = hops.map((hop, i): TopologyLink => {
    const from = i === 0 ? 'client' : targets.has(hop.id) ? hops[r].id : hops[i - 1].id;
    return { name: `${from}->${hop.id}`, from, to: hop.id, toIndex: i };
  });
  const mailboxes = r >= 0 ? hops.filter((h) => targets.has(h.id)).map((h) => h.id) : hops.length ? [hops[hops.length - 1].id] : [];
  const inbound = new Map(links.map((l) => [l.to, l.from]));
  return {
    links,
    mailboxes,
    ...(r >= 0 ? { router: { hop: hops[r].id, routes: links.filter((l) => l.from === hops[r].id).map((l) => l.name) } } : {}),
    pathTo(hop) {
      const path: string[] = [];
      for (let at: string | undefined = hop; at !== undefined && at !== 'client'; at = inbound.get(at)) path.unshift(at);
      return path;
    },
  };
}

/** A problem at a path inside the scenario. */
export interface TopologyProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * Whether the hops and the `dns:` block make one chain: at most one hop routes by MX, and only with a `dns:`
 * block; a `dns:` block with zones has a hop that routes by MX (mock or engine) to ask it; every MX record names a
 * mock hop after it; every hop after it is an MX target (nothing else reaches it).
 */
export function topologyProblems(hops: readonly TopologyHop[], dns: DnsZones | undefined): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const routers = hops.flatMap((h, i) => (routesByMx(h) ? [i] : []));
  for (const i of routers.slice(1)) {
    problems.push({ path: ['hops', i, 'outbound', 'route'], message: `only one hop may route by MX; ${hops[routers[0]].id} does already` });
  }
  const r = routers[0] ?? -1;
  // Only a hop that routes by MX (a mock, or a postfix / exim engine) asks the run's DNS; without one every zone
  // would be served and never asked, and the scenario would run as if it had no dns: block.
  const anyRouter = hops.some((h) => !!h.outbound && 'route' in h.outbound && h.outbound.route === 'mx');
  if (dns !== undefined && Object.keys(dns).length > 0 && !anyRouter) {
    problems.push({ path: ['dns'], message: 'no hop routes by MX, so nothing would look these zones up: add route: mx to the outbound of the hop that delivers to the recipient domains (and dane or mtaSts to use their policies), or remove the dns: block' });
  }
  if (r >= 0 && dns === undefined) {
    problems.push({ path: ['hops', r, 'outbound', 'route'], message: 'route: mx looks recipient domains up in the run\'s DNS: add a dns: block with their zones' });
  }
  const index = new Map(hops.map((h, i) => [h.id, i]));
  const tlsaZone = new Map<string, string>();
  for (const [domain, zone] of Object.entries(dns ?? {})) {
    const records = Array.isArray((zone as { mx?: unknown }).mx) ? (zone.mx as unknown[]) : [];
    records.forEach((mx, k) => {
      if (typeof (mx as { hop?: unknown } | null)?.hop !== 'string') return;
      const at = ['dns', domain, 'mx', k, 'hop'];
      const hop = (mx as { hop: string }).hop;
      const i = index.get(hop);
      if (i === undefined) problems.push({ path: at, message: `no hop "${hop}"; the hops are ${hops.map((h) => h.id).join(', ')}` });
      else if (r < 0) return;
      else if (i <= r) problems.push({ path: at, message: `${hop} is an MX target, so it must come after ${hops[r].id}, the hop that routes by MX` });
      else if ((hops[i].engine ?? 'mock') !== 'mock') problems.push({ path: at, message: `${hop} is engine ${hops[i].engine}; an MX target must be a mock hop` });
    });
    const tlsa = (zone as { tlsa?: unknown } | null)?.tlsa;
    for (const hop of tlsa && typeof tlsa === 'object' ? Object.keys(tlsa) : []) {
      const at = ['dns', domain, 'tlsa', hop];
      if (!index.has(hop)) problems.push({ path: at, message: `no hop "${hop}"; TLSA records are keyed by the id of the hop they describe` });
      else if (tlsaZone.has(hop)) problems.push({ path: at, message: `${hop}'s TLSA records are listed by zone ${tlsaZone.get(hop)} already; list them in one zone` });
      else tlsaZone.set(hop, domain);
    }
  }
  problems.push(...engineRouterProblems(hops, dns));
  if (r >= 0) {
    const targets = new Set(mxTargets(dns));
    // An MX record naming no hop is most often this hop's id mistyped: say so beside the orphan, not only at the record.
    const unknown = [...targets].filter((t) => !index.has(t));
    const typo = unknown.length ? ` (MX records name ${unknown.map((t) => `"${t}"`).join(', ')}, which no hop is)` : '';
    hops.forEach((h, i) => {
      if (i > r && !targets.has(h.id)) {
        problems.push({ path: ['hops', i, 'id'], message: `${h.id} comes after ${hops[r].id}, which routes by MX, but no MX record names it: nothing would deliver to it${typo}` });
      }
    });
  }
  return problems;
}

/**
 * A real engine that routes by MX (`engine: postfix | exim` with `route: mx`) keeps the chain a line: it looks the
 * recipient domains up in the run's DNS itself, and every MX record must name the hop after it, the one its
 * outbound link reaches (engines/engine-dns.ts points that name at the link's proxy).
 */
function engineRouterProblems(hops: readonly TopologyHop[], dns: DnsZones | undefined): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  hops.forEach((hop, i) => {
    const engine = hop.engine ?? 'mock';
    if (engine === 'mock' || !hop.outbound || !('route' in hop.outbound) || hop.outbound.route !== 'mx') return;
    const at = ['hops', i, 'outbound', 'route'];
    const next = hops[i + 1]?.id;
    if (dns === undefined) problems.push({ path: at, message: `route: mx makes ${engine} look recipient domains up in the run's DNS: add a dns: block with their zones` });
    else if (next === undefined) problems.push({ path: at, message: `${hop.id} is the last hop (the final mailbox): it relays nowhere, so route: mx has nothing to route to` });
    for (const [domain, zone] of Object.entries(dns ?? {})) {
      const records: unknown[] = Array.isArray((zone as { mx?: unknown } | null)?.mx) ? (zone as { mx: unknown[] }).mx : [];
      records.forEach((mx, k) => {
        const target = (mx as { hop?: unknown } | null)?.hop;
        if (next !== undefined && typeof target === 'string' && target !== next) {
          problems.push({ path: ['dns', domain, 'mx', k, 'hop'], message: `${target} cannot be an MX target: ${hop.id} (engine ${engine}) routes by MX and reaches only the hop after it, ${next}` });
        }
      });
    }
  });
  return problems;
}
