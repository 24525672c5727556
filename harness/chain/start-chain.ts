/**
 * Starting a chain walks its plan (plan-chain.ts): the run's PKI, the mock hop servers, a link proxy in
 * front of every hop, the real engines (once the proxies they relay to listen), and a queue for every
 * sender mailhop drives. What started is stopped again when a later step fails.
 */
import { MailhopError } from '../errors.js';
import { RunPki, type KeyCert } from '../pki/run-pki.js';
import type { Scenario } from '../scenario/schema.js';
import { RelayQueue } from '../mta/relay-queue.js';
import { ClientTlsContexts } from '../mta/client-tls-contexts.js';
import type { ConnectionInfo, RelayTarget } from '../mta/relay-target.js';
import type { AcceptedMessage } from '../mta/hop-server.js';
import { selectRuntime } from '../runtime/select-runtime.js';
import type { ChainRuntime, StartedUnit } from '../runtime/runtime.js';
import { startChainEngines } from '../engines/chain-engines.js';
import { pickEngineAddress } from '../engines/free-address.js';
import { sweepOrphanFoldersOnce } from '../engines/run-folder.js';
import { fixedPortError } from './proxy-ports.js';
import { AppConnections } from './app-connections.js';
import { planChain, type ChainPlan, type PlannedAddress, type PlannedHop, type PlannedLink, type PlannedSender } from './plan-chain.js';
import { ChainRecords } from './chain-records.js';
import type { ChainOptions, StartedChain } from './chain-types.js';
import { RunningChain, type ChainUnits } from './running-chain.js';
import { startRunDns, mxRouting, routedDelivery, routingSts, engineMxTargets } from './chain-dns.js';
import { listenOnFreshAddress } from '../engines/free-address.js';
import { ENGINE_MX_PORT } from '../engines/engine-dns.js';
import { splitByDomain } from '../mta/mx-delivery.js';

/**
 * Starts every hop and link proxy of a validated scenario.
 * @throws MailhopError (everything already started is stopped first): `ELOOPBACK` for a non-loopback host or
 *   external address, `EUSAGE` when `portBase` does not fit, `EBIND` when a port cannot be listened on,
 *   `ENORUNTIME` / `ENOENGINE` / `ESTART` when the runtime or a real MTA is missing or does not start.
 */
export async function startChain(scenario: Scenario, options: ChainOptions = {}): Promise<StartedChain> {
  const plan = planChain(scenario, options);
  // Engine run folders (private keys) of mailhop processes that were SIGKILLed: removed when this process starts its
  // first chain, whether or not that chain starts an engine of its own.
  sweepOrphanFoldersOnce();
  const runtime = await selectRuntime(options.runtime);
  const units: ChainUnits = { runtime, servers: [], proxies: [], engines: [], serverAddresses: [], queues: new Map(), caCert: '' };
  const records = new ChainRecords(plan, options, (i) => units.proxies[i]);
  const chain = new RunningChain(plan, records, units, options);
  try {
    await startUnits(plan, records, units, options);
    chain.ready();
    return chain;
  } catch (err) {
    await chain.stop();
    if (err instanceof MailhopError) throw err;
    throw MailhopError.of('ESTART', { where: `scenario ${scenario.name}`, what: 'start the chain', why: (err as Error).message, cause: err });
  }
}

/** Starts hops, proxies, engines and queues, in that order, into `units`. */
async function startUnits(plan: ChainPlan, records: ChainRecords, units: ChainUnits, options: ChainOptions): Promise<void> {
  const pki = options.pki ?? (await RunPki.create());
  units.caCert = pki.ca.cert;
  units.pki = pki;
  // An external server presents its own certificate: none is issued for it.
  const certs = await Promise.all(plan.hops.map((hop, i) => {
    const inbound = plan.scenario.hops[i].inbound;
    return inbound ? pki.issue(hop.hostname, inbound.cert) : null;
  }));
  // Each real engine listens on a fresh loopback address of its own; an external gateway is where it is.
  const targets = await Promise.all(plan.hops.map((hop) => (hop.kind === 'engine' ? pickEngineAddress() : hop.external ?? null)));

  const app = plan.links[0].senderKind === 'app';
  if (app) records.trace.emit({ kind: 'app-sender', source: 'chain', link: plan.links[0].name });
  const servers = await startEach(plan.hops, (hop) => (hop.kind === 'mock' ? startHopServer(plan, records, units, hop, certs[hop.index]!, options) : null));
  units.servers.push(...servers.flatMap((s) => (s ? [s] : [])));
  for (const [i, server] of servers.entries()) {
    const hop = plan.hops[i];
    const routes = plan.senders.find((s) => s.id === hop.id)?.routes ?? [];
    if (server) records.trace.emit({
      kind: 'hop-started', source: 'chain', link: hop.inboundLink, hop: hop.id, hopKind: 'mock', outboundLink: routes[0] ?? null,
      ...(routes.length > 1 ? { routes: [...routes] } : {}),
      hostname: hop.hostname, address: server.address, line: `mock listening on ${server.address.host}:${server.address.port}`,
    });
  }
  units.serverAddresses.push(...plan.hops.map((hop, i) => (servers[i]?.address ?? targets[i])!));
  // A real engine that routes by MX reaches the next hop's proxy on port 25 at the address DNS gives (engine-dns.ts).
  const byEngineMx = new Set(engineMxTargets(plan));
  const proxies = await startEach(plan.links, (link) => {
    const start = (listen?: PlannedAddress) => startProxy(plan, records, units.runtime, link, units.serverAddresses[link.toIndex], pki, listen);
    return byEngineMx.has(link.toIndex) ? listenOnFreshAddress(25, ENGINE_MX_PORT, (host, port) => start({ host, port })) : start();
  });
  units.proxies.push(...proxies);
  if (plan.scenario.dns) units.dns = await startRunDns(plan, pki, certs, records, proxies.map((p) => p.address));

  units.engines.push(
    ...(await startChainEngines({
      scenario: plan.scenario,
      hostnames: plan.hops.map((h) => h.hostname),
      linkNames: plan.links.map((l) => l.name),
      certs,
      caCert: pki.ca.cert,
      addresses: plan.hops.map((hop, i) => (hop.kind === 'engine' ? targets[i] : null)),
      proxies: proxies.map((p) => p.address),
      trace: records.trace,
      now: () => records.clock.now(),
      onlyMessageAt: (hop) => records.holds.only(hop),
      onMailbox: (m) => records.deliver({ id: m.id, from: m.from, to: m.to, raw: m.raw, inbound: m.inbound }),
      onDsn: (hop, dsn) => records.bounced(hop, { id: dsn.messageId, from: dsn.to }, dsn.reply),
      ...(options.stampMissingId || app ? { adoptHandSent: (messageId: string) => records.ids.adopt(1, messageId) } : {}),
      ...(units.dns ? { nameserver: units.dns.address.host } : {}),
    })),
  );
  const tlsContexts = new ClientTlsContexts([pki.ca.cert]);
  for (const sender of plan.senders) {
    const targets = sender.routes.map((route) => relayTarget(plan, records, units, sender, route, pki.ca.cert, tlsContexts, certs));
    const routing = sender.id === plan.router && units.dns ? mxRouting(plan, records, sender, units.dns.address, targets) : undefined;
    units.queues.set(sender.id, new RelayQueue({
      target: targets[0],
      clock: records.clock,
      onBounce: (message, reply) => records.bounced(sender.id, message, reply),
      runUntil: (id) => records.budget.until(id),
      // MX routing reaches several hosts: a session kept for one is no session for another (none is kept).
      ...(routing && units.dns ? { deliver: routedDelivery(routing, sender.policy, routingSts(records, sender.policy, units.dns, pki.ca.cert)) } : {}),
    }));
  }
}

/**
 * Starts every item at once. When one fails, stops those that did start (nothing may keep a port), then
 * throws the first failure.
 */
async function startEach<T, R extends StartedUnit | null>(items: readonly T[], start: (item: T) => Promise<R> | R): Promise<R[]> {
  const results = await Promise.allSettled(items.map(async (item) => start(item)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<R>).value);
  await Promise.allSettled(results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value.stop()] : [])));
  throw failed.reason;
}

/** A mock hop's server: relays what it accepts into its queue, or stores it when it is the last hop. */
function startHopServer(plan: ChainPlan, records: ChainRecords, units: ChainUnits, hop: PlannedHop, keyCert: KeyCert, options: ChainOptions): Promise<StartedUnit> {
  const last = plan.mailboxes.includes(hop.id);
  return units.runtime.startHop(
    {
      kind: 'hop', hopId: hop.id, hostname: hop.hostname, inbound: hop.inbound!, keyCert,
      inboundLink: hop.inboundLink, host: plan.host, wallStart: records.clock.wallStart,
    },
    {
      emit: (e) => records.trace.emit(e),
      date: () => records.clock.date(),
      // Any mock hop stamps: hand-sent mail may reach it through a real engine, which adds no id. The first hop
      // stamps the application's mail (submit: { sender: app }), which carries no id unless a test gave it one.
      ...(options.stampMissingId || (hop.index === 0 && plan.links[0].senderKind === 'app') ? { assignId: records.ids.assignIdFor(hop.index) } : {}),
      onMessage: (m: AcceptedMessage) => {
        if (last) {
          records.deliver(m);
          // In a chain that routes by MX each MX target stores copies for one recipient domain.
          const destination = plan.router ? splitByDomain(m.to)[0]?.destination : undefined;
          records.trace.emit({ kind: 'delivered', source: 'receiver', link: hop.inboundLink, hop: hop.id, messageId: m.id, ...(destination ? { destination } : {}) });
          return;
        }
        const queue = units.queues.get(hop.id);
        if (!queue) throw MailhopError.of('EINTERNAL', { where: `hop ${hop.id}`, hop: hop.id, what: 'queue a message', why: 'it received mail before its queue was ready' });
        const tag = m.requireTls ? { requireTls: true as const } : {};
        if (hop.id !== plan.router) return queue.enqueue({ id: m.id, from: m.from, to: m.to, raw: m.raw, inbound: m.inbound, ...tag });
        // RFC 5321 §5.1: one copy per recipient domain, each routed (and retried) on its own.
        for (const copy of splitByDomain(m.to)) queue.enqueue({ id: m.id, from: m.from, to: copy.to, raw: m.raw, inbound: m.inbound, destination: copy.destination, ...tag });
      },
    },
  );
}

/**
 * The link proxy in front of a hop: on-path attackers (scenario `links:`) act in it, learning which delivery
 * a connection carries from the open connections (a runtime elsewhere is told through announce()).
 */
async function startProxy(plan: ChainPlan, records: ChainRecords, runtime: ChainRuntime, link: PlannedLink, target: PlannedAddress, pki: RunPki, listen?: PlannedAddress): Promise<StartedUnit> {
  const hop = plan.hops[link.toIndex];
  // The application's connections are numbered by the chain (attempts: counts them); the wire records still come.
  const app = link.senderKind === 'app' ? new AppConnections() : null;
  const witnessed = link.driven || app !== null;
  // A proxy elsewhere cannot call back for the interceptor's certificate: issued up front.
  const attackerCert = runtime.name !== 'in-process' && link.intercepts ? await pki.issue(hop.hostname, 'untrusted-ca') : undefined;
  return runtime
    .startLinkProxy(
      {
        kind: 'link', name: link.name, host: listen?.host ?? hop.proxyHost, port: listen?.port ?? hop.fixedPort?.port, target,
        faults: [...link.faults], servername: link.servername,
        ...(attackerCert ? { attackerCert } : {}),
        // With a bounded trace the proxies keep no finished records either (the trace has them).
        ...(plan.bounded ? { keepRecords: 0 } : {}),
        // A real engine's or an external server's connections are judged open too (running-chain.ts).
        ...(link.driven ? {} : { openRecordsJudged: true }),
      },
      {
        deliveryOf: (port) => (app ? app.of(port) : records.connections.of(link.name, port)),
        stalled: (port) => records.stalls.stalled(link.name, port),
        attackerCert: () => pki.issue(hop.hostname, 'untrusted-ca'),
        onOpen: () => {
          if (witnessed) records.wire.open();
        },
        onRecord: (record) => {
          app?.closed(record.clientPort);
          records.trace.emit({ kind: 'wire', source: 'wire', link: link.name, record });
          if (witnessed) records.wire.recorded();
        },
      },
    )
    .catch((err: unknown) => {
      throw hop.fixedPort ? fixedPortError(err, hop.id, link.name, { host: hop.proxyHost, port: hop.fixedPort.port }, hop.fixedPort) : err;
    });
}

/** Where and how a sender delivers over one of its routes: that link's proxy, receiver and the sender's policy. */
function relayTarget(plan: ChainPlan, records: ChainRecords, units: ChainUnits, sender: PlannedSender, route: string, ca: string, tlsContexts: ClientTlsContexts, certs: ReadonlyArray<KeyCert | null>): RelayTarget {
  const link = plan.links.find((l) => l.name === route)!;
  // What the next hop serves after its own certificate (its chain), PEM blocks.
  const served = certs[link.toIndex]?.cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return {
    presentedChain: served.slice(1),
    hop: sender.id,
    link: link.name,
    policy: sender.policy,
    address: units.proxies[link.toIndex].address,
    servername: link.servername,
    implicitTls: link.implicitTls,
    ehloName: sender.ehloName,
    ca: [ca],
    tlsContexts,
    trace: records.trace,
    now: () => records.clock.now(),
    waits: (port) => records.stalls.waitsFor(link.name, port),
    onConnect: (info: ConnectionInfo) => {
      records.connections.opened(link.name, info);
      records.ids.connected(link.toIndex, { host: info.localAddress, port: info.localPort }, info.messageId);
      units.runtime.announce?.(link.name, info.localPort, info, records.clock.now());
    },
  };
}
