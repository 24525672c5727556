/**
 * What a scenario becomes, decided before anything listens: one plan per hop, one per link (with only
 * that link's faults and the kind of its sender), one per sender that mailhop drives (the injecting
 * client and every mock hop but the last), and the names and addresses to allocate. Pure and frozen:
 * starting (start-chain.ts) walks it, and tests read it without a socket.
 */
import { MailhopError } from '../errors.js';
import { needsAttackerCert, type LinkFaultSpec } from '../link/faults/index.js';
import type { Inbound, Outbound, Scenario, Submit } from '../scenario/schema.js';
import { chainTopology, isAppSubmit } from '../scenario/schema.js';
import { ENGINES } from '../engines/engines.js';
import { isLoopback } from '../engines/free-address.js';
import type { EngineOrExternalHop } from '../engines/engine-holds.js';
import { hopKind, isDriven, type HopKind, type SenderKind } from '../scenario/hop-kind.js';
import { checkPortBase, fixedProxyPort, type FixedProxyPort } from './proxy-ports.js';

/** The domain every hop's hostname lives under (`<id>.mailhop.test`, RFC 2606 reserved). */
export const HOST_DOMAIN = 'mailhop.test';

export type { HopKind, SenderKind } from '../scenario/hop-kind.js';

/** A host and port. */
export interface PlannedAddress {
  host: string;
  port: number;
}

/** One hop of the chain. */
export interface PlannedHop {
  /** Position in the chain, from 0. */
  readonly index: number;
  readonly id: string;
  /** `<id>.mailhop.test`: its EHLO name, certificate name and SNI. */
  readonly hostname: string;
  readonly kind: HopKind;
  /** A mock hop's inbound mode (what its server is started with); absent for a real engine or an external server. */
  readonly inbound?: Inbound;
  /** The link that delivers into this hop (`client->a`, `a->b`). */
  readonly inboundLink: string;
  /** Where the link proxy in front of it listens: the chain's host, or the address a hop after an external gateway asks for. */
  readonly proxyHost: string;
  /** A fixed "send to" port (`port:` or `portBase`), else an ephemeral one. */
  readonly fixedPort?: FixedProxyPort;
  /** An external gateway's own address (the link proxy forwards there). */
  readonly external?: PlannedAddress;
}

/** One link: a sender reaching one receiver through a link proxy. */
export interface PlannedLink {
  /** `from->to`. */
  readonly name: string;
  /** Sending hop id, or `client`. */
  readonly from: string;
  readonly to: string;
  /** Index of the receiving hop. */
  readonly toIndex: number;
  readonly senderKind: SenderKind;
  /** This link's entries of the scenario's `links:`, in scenario order. */
  readonly faults: readonly LinkFaultSpec[];
  /** A fault needs the interceptor's certificate (issued up front for a proxy in a container). */
  readonly intercepts: boolean;
  /** The receiver's hostname (SNI, certificate name check). */
  readonly servername: string;
  /** The receiver speaks TLS from the first byte (RFC 8314 §3). */
  readonly implicitTls: boolean;
  /**
   * mailhop drives the sender (the client or a mock): it records its sessions. Else (a real engine, an external
   * server) its sessions come from its log or not at all, so the link is judged as a whole, its wire records are
   * not waited for, and ids on it are believed only when sealed.
   */
  readonly driven: boolean;
}

/** A sender mailhop drives (the client, or a mock hop): it gets a queue. */
export interface PlannedSender {
  /** `client` or the hop id. */
  readonly id: string;
  readonly kind: 'client' | 'mock';
  readonly policy: Outbound | Submit;
  /** Name it gives in EHLO. */
  readonly ehloName: string;
  /**
   * Names of the links it delivers over: one (the next hop), or, for a hop that routes by MX
   * (`outbound.route: mx`), one per MX target, each with its own link proxy.
   */
  readonly routes: readonly string[];
}

/** Options {@link planChain} reads (a subset of ChainOptions). */
export interface PlanOptions {
  host?: string;
  portBase?: number;
  allowExternal?: boolean;
  keepFinished?: number;
  traceLimit?: number;
}

/** What a scenario becomes; frozen. */
export interface ChainPlan {
  readonly scenario: Scenario;
  /** Loopback address every mock hop and link proxy binds. */
  readonly host: string;
  readonly hops: readonly PlannedHop[];
  /** In chain order; `links[i]` reaches `hops[i]`. */
  readonly links: readonly PlannedLink[];
  /** The client first (absent when the application under test submits), then the mock hops that relay. */
  readonly senders: readonly PlannedSender[];
  /** Hops that store what they receive: the last hop, or in a chain that routes by MX, every MX target. */
  readonly mailboxes: readonly string[];
  /** The hop that routes by MX (`outbound.route: mx`), if one does: its copies are split per recipient domain. */
  readonly router?: string;
  /** Hops whose queues mailhop cannot see (real engines, external servers), for the settle waits. */
  readonly engineOrExternalHops: readonly EngineOrExternalHop[];
  /**
   * Finished messages leave the trace beyond `keepFinished` (`mailhop up`); off when a real engine or an
   * external server sends on a link (such a link is judged as a whole).
   */
  readonly keepFinished?: number;
  readonly traceLimit?: number;
  /** The trace is bounded (traceLimit or keepFinished): proxies keep no finished records, accounting is counted. */
  readonly bounded: boolean;
}

function checkAddress(hop: string, what: string, host: string, allowExternal: boolean): void {
  if (!isLoopback(host) && !allowExternal) {
    throw MailhopError.of('ELOOPBACK', {
      where: `hop ${hop}`, hop, what: `${what} ${host}`, why: 'it is not a loopback address (127.0.0.0/8)',
      hint: 'Only startChain(scenario, { allowExternal: true }) (`--allow-external`) uses one.',
    });
  }
}

/**
 * Plans a validated scenario. Touches nothing: no socket, no file, no clock.
 * @throws MailhopError `ELOOPBACK` for a non-loopback `host`, or an external address off loopback without
 *   `allowExternal`; `EUSAGE` for a `portBase` that does not fit the chain.
 */
export function planChain(scenario: Scenario, options: PlanOptions = {}): ChainPlan {
  const host = options.host ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw MailhopError.of('ELOOPBACK', { where: 'startChain', what: `bind ${host}`, why: 'mock hops listen on loopback (127.0.0.0/8) only' });
  }
  checkPortBase(scenario, options.portBase);
  const allowExternal = options.allowExternal ?? false;
  const topology = chainTopology(scenario.hops, scenario.dns);
  const names = topology.links.map((l) => l.name);
  const kinds = scenario.hops.map(hopKind);
  const indexOf = new Map(scenario.hops.map((h, i) => [h.id, i]));
  const outboundOf = (hop: string) => names.filter((_, i) => topology.links[i].from === hop);

  const hops = scenario.hops.map((hop, i): PlannedHop => {
    // A mock after an external gateway listens where the gateway can reach it (its `host:`).
    const afterExternal = i > 0 && kinds[i - 1] === 'external' && kinds[i] === 'mock';
    let proxyHost = host;
    if (afterExternal) {
      proxyHost = hop.host ?? '127.0.0.1';
      checkAddress(hop.id, 'listen on', proxyHost, allowExternal);
    }
    if (kinds[i] === 'external') checkAddress(hop.id, 'relay to the external gateway at', hop.host!, allowExternal);
    const fixedPort = fixedProxyPort(scenario, i, options.portBase);
    return {
      index: i,
      id: hop.id,
      hostname: `${hop.id}.${HOST_DOMAIN}`,
      kind: kinds[i],
      ...(hop.engine === 'mock' ? { inbound: hop.inbound } : {}),
      inboundLink: names[i],
      proxyHost,
      ...(fixedPort ? { fixedPort } : {}),
      ...(kinds[i] === 'external' ? { external: { host: hop.host!, port: hop.port! } } : {}),
    };
  });

  const links = hops.map((hop, i): PlannedLink => {
    const from = topology.links[i].from;
    const faults = scenario.links.filter((l) => l.from === from && l.to === hop.id);
    const senderKind: SenderKind = i === 0 ? (isAppSubmit(scenario.submit) ? 'app' : 'client') : kinds[indexOf.get(from)!];
    return {
      name: names[i], from, to: hop.id, toIndex: i, senderKind, faults,
      intercepts: faults.some(needsAttackerCert),
      servername: hop.hostname,
      implicitTls: hop.inbound?.starttls === 'implicit',
      driven: isDriven(senderKind),
    };
  });

  const submit = scenario.submit;
  const senders: PlannedSender[] = [
    // The application under test submits itself: mailhop's client gets no queue.
    ...(isAppSubmit(submit) ? [] : [{ id: 'client', kind: 'client' as const, policy: submit, ehloName: `client.${HOST_DOMAIN}`, routes: [names[0]] }]),
    ...hops.flatMap((hop, i): PlannedSender[] => {
      const written = scenario.hops[i];
      const routes = outboundOf(hop.id);
      return written.engine !== 'mock' || routes.length === 0 ? [] : [{ id: hop.id, kind: 'mock', policy: written.outbound, ehloName: hop.hostname, routes }];
    }),
  ];

  const engineOrExternalHops = scenario.hops.flatMap((hop, i): EngineOrExternalHop[] => {
    if (hop.engine === 'mock') return [];
    return [{
      hopId: hop.id,
      inboundLink: names[i],
      outboundLink: outboundOf(hop.id)[0] ?? null,
      settleAfterDeferrals: hop.engine === 'external' ? Infinity : ENGINES[hop.engine].settleAfterDeferrals,
      kind: hop.engine === 'external' ? 'external' : 'engine',
    }];
  });

  const keepFinished = options.keepFinished !== undefined && links.every((l) => l.driven) ? options.keepFinished : undefined;
  return deepFreeze({
    scenario,
    host,
    hops,
    links,
    senders,
    mailboxes: topology.mailboxes,
    ...(topology.router ? { router: topology.router.hop } : {}),
    engineOrExternalHops,
    ...(keepFinished !== undefined ? { keepFinished } : {}),
    ...(options.traceLimit !== undefined ? { traceLimit: options.traceLimit } : {}),
    bounded: keepFinished !== undefined || options.traceLimit !== undefined,
  });
}

/** Freezes what the plan made (its arrays and records); the scenario's own objects it points to are left as they are. */
function deepFreeze<T extends ChainPlan>(plan: T): T {
  Object.freeze(plan.mailboxes);
  for (const list of [plan.hops, plan.links, plan.senders, plan.engineOrExternalHops] as const) {
    for (const item of list) Object.freeze(item);
    Object.freeze(list);
  }
  for (const link of plan.links) Object.freeze(link.faults);
  for (const sender of plan.senders) Object.freeze(sender.routes);
  return Object.freeze(plan);
}
