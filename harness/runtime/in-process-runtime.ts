/**
 * The default runtime: hop servers and link proxies in this process (what the chain always did).
 */
import { startHopServer } from '../mta/hop-server.js';
import { LinkProxy } from '../link/link-proxy.js';
import { linkFaultsFor } from '../link/faults/index.js';
import type { ChainRuntime, HopHooks, HopPlan, LinkProxyHooks, LinkProxyPlan, StartedUnit } from './runtime.js';

/** Starts a hop server from its plan in this process. */
export async function startHopInProcess(plan: HopPlan, hooks: HopHooks): Promise<StartedUnit> {
  const server = await startHopServer({
    hopId: plan.hopId,
    hostname: plan.hostname,
    inbound: plan.inbound,
    keyCert: plan.keyCert,
    inboundLink: plan.inboundLink,
    host: plan.host,
    port: plan.port,
    emit: (event) => hooks.emit(event),
    date: () => hooks.date(),
    onMessage: (m) => hooks.onMessage(m),
    ...(hooks.assignId ? { assignId: hooks.assignId } : {}),
  });
  return { address: server.address, records: () => [], stop: () => server.stop(), [Symbol.asyncDispose]: () => server.stop() };
}

/** Starts a link proxy (and its faults) from its plan in this process. */
export async function startLinkProxyInProcess(plan: LinkProxyPlan, hooks: LinkProxyHooks): Promise<StartedUnit> {
  const faults = await linkFaultsFor(plan.faults, plan.name, {
    deliveryOf: hooks.deliveryOf,
    ...(hooks.awaitDelivery ? { awaitDelivery: hooks.awaitDelivery } : {}),
    ...(hooks.stalled ? { stalled: hooks.stalled } : {}),
    servername: plan.servername,
    attackerCert: plan.attackerCert ? async () => plan.attackerCert! : hooks.attackerCert,
  });
  return LinkProxy.start({
    name: plan.name,
    host: plan.host,
    port: plan.port,
    target: plan.target,
    faults,
    ...(plan.keepRecords === undefined ? {} : { keepRecords: plan.keepRecords }),
    onOpen: hooks.onOpen,
    onRecord: hooks.onRecord,
  });
}

/** The in-process runtime (default). */
export function inProcessRuntime(): ChainRuntime {
  return {
    name: 'in-process',
    startHop: startHopInProcess,
    startLinkProxy: startLinkProxyInProcess,
    stop: async () => {},
  };
}
