/**
 * One mailhop unit, as a container runs it: a hop server or a link proxy from its JSON plan (runtime.ts), with
 * its control lines (control-line.ts) to the chain that started it, or, in compose, a hop that relays and
 * settles ids on its own. container-entry.ts reads the plan and the socket and calls {@link startUnit}.
 */
import { MailhopError } from '../errors.js';
import { PendingAnswers, type ChainLine, type UnitLine } from './control-line.js';
import { startHopInProcess, startLinkProxyInProcess } from './in-process-runtime.js';
import type { HopPlan, LinkProxyPlan, StartedUnit } from './runtime.js';
import type { CarriedDelivery } from '../link/faults/index.js';
import { standaloneRelay, type StandaloneRelayPlan } from './standalone-relay.js';
import { RunPki, type KeyCert } from '../pki/run-pki.js';
import { standaloneAssignId, type StandaloneIdsPlan } from './standalone-ids.js';
import type { AssignId, IdDecision } from '../mta/id-claim.js';

/**
 * A plan as the container gets it: a hop may carry its own relay and id rules (compose), and a compose hop
 * carries no key: it makes its certificate when it starts, so no private key is ever written into a compose
 * file. `askIds`: the chain settles ids (`mailhop up`), so the hop asks it about every message over the socket.
 */
export type UnitPlan =
  | (Omit<HopPlan, 'keyCert'> & { keyCert?: KeyCert; relay?: StandaloneRelayPlan; ids?: StandaloneIdsPlan; askIds?: boolean })
  | LinkProxyPlan;

/**
 * Starts the unit of `plan` in this process: `send` carries its lines to the chain (or stdout), `incoming` brings
 * the chain's; `control` says whether a chain drives it (else it is a compose unit on its own).
 */
export async function startUnit(
  plan: UnitPlan,
  send: (line: UnitLine) => void,
  incoming: { on(fn: (line: ChainLine) => void): void },
  control: boolean,
): Promise<StartedUnit> {
  let virtualNow = 0;
  let unit: StartedUnit | undefined;
  const decisions = new PendingAnswers<IdDecision>();
  const deliveries = new Map<number, CarriedDelivery>();
  // The chain announces a connection's delivery over the control socket; a fault may ask before it arrives.
  const waiting = new Map<number, Array<(delivery: CarriedDelivery) => void>>();
  incoming.on((line) => {
    if ('now' in line) virtualNow = line.now;
    if ('decision' in line) decisions.answer(line.decision.n, line.decision.decision);
    if ('clientOf' in line) {
      const { n, upstream } = line.clientOf;
      void Promise.resolve(unit?.clientOf?.(upstream)).then((end) => send({ client: { n, ...(end ? { end } : {}) } }));
    }
    if ('delivery' in line) {
      const { clientPort, ...delivery } = line.delivery;
      deliveries.set(clientPort, delivery);
      for (const resolve of waiting.get(clientPort) ?? []) resolve(delivery);
      waiting.delete(clientPort);
    }
  });
  const awaitDelivery = (clientPort: number, timeoutMs: number) =>
    new Promise<CarriedDelivery | undefined>((resolve) => {
      const known = deliveries.get(clientPort);
      if (known) return resolve(known);
      const list = waiting.get(clientPort) ?? [];
      const waiter = (delivery: CarriedDelivery) => {
        clearTimeout(timer);
        resolve(delivery);
      };
      const timer = setTimeout(() => {
        list.splice(list.indexOf(waiter), 1);
        if (list.length === 0) waiting.delete(clientPort);
        resolve(undefined);
      }, timeoutMs);
      list.push(waiter);
      waiting.set(clientPort, list);
    });
  if (plan.kind === 'hop') {
    // A compose hop's certificate comes from a CA of its own, made here (in memory, per start).
    const keyCert = plan.keyCert ?? (await (await RunPki.create()).issue(plan.hostname, plan.inbound.cert));
    const hopPlan: HopPlan = { ...plan, keyCert };
    const relay = plan.relay ? standaloneRelay(hopPlan, plan.relay, (event) => send({ event })) : null;
    // Under a chain the chain settles ids when it does (`up`); without one (compose) the hop does: `<hop>-<n>`.
    const assignId: AssignId | undefined = !control
      ? standaloneAssignId(plan.hopId, plan.ids)
      : plan.askIds ? (claim) => decisions.ask((n) => send({ claim: { n, claim } })) : undefined;
    const hop = await startHopInProcess(hopPlan, {
      ...(assignId ? { assignId } : {}),
      emit: (event) => send({ event }),
      date: () => new Date(plan.wallStart + virtualNow),
      onMessage: (m) => {
        if (relay) return relay.enqueue(m);
        send({ message: { ...m, raw: m.raw.toString('base64') } });
      },
    });
    return relay ? { ...hop, stop: async () => { relay.stop(); await hop.stop(); } } : hop;
  }
  unit = await startLinkProxyInProcess(plan, {
    onOpen: () => send({ open: true }),
    onRecord: (record) => send({ record }),
    deliveryOf: (port) => deliveries.get(port),
    awaitDelivery,
    // A chain puts an intercept fault's certificate in the plan (runtime.ts); a compose file carries none.
    attackerCert: () => Promise.reject(MailhopError.of('EUSAGE', { where: `link ${plan.name}`, what: 'intercept TLS', why: 'its plan carries no interceptor certificate (a compose unit has none)', link: plan.name })),
  });
  return unit;
}

