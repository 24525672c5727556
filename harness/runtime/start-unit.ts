/**
 * One mailhop unit, as a container runs it: a hop server or a link proxy from its JSON plan (runtime.ts), with
 * its control lines (control-line.ts) to the chain that started it, or, in compose, a hop that relays and
 * settles ids on its own. container-entry.ts reads the plan and the socket and calls {@link startUnit}.
 */
import { MailhopError } from '../errors.js';
import { PendingAnswers, type ChainLine, type UnitLine } from './control-line.js';
import { startHopInProcess, startLinkProxyInProcess } from './in-process-runtime.js';
import type { HopPlan, LinkProxyPlan, StartedUnit } from './runtime.js';
import { AnnouncedDeliveries } from './announced-deliveries.js';
import type { StandaloneRelayPlan } from './standalone-relay.js';
import type { KeyCert } from '../pki/run-pki.js';
import type { StandaloneIdsPlan } from './standalone-ids.js';
import type { AssignId, IdDecision } from '../mta/id-claim.js';

/**
 * A plan as the container gets it: a hop may carry its own relay and id rules (compose), and a compose hop
 * carries no key: it makes its certificate when it starts, so no private key is ever written into a compose
 * file. `askIds`: the chain settles ids (`mailhop up`), so the hop asks it about every message over the socket.
 */
export type UnitPlan =
  | (Omit<HopPlan, 'keyCert'> & { keyCert?: KeyCert; relay?: StandaloneRelayPlan; ids?: StandaloneIdsPlan; askIds?: boolean })
  | LinkProxyPlan;

/** How a unit talks to the chain beyond the lines every unit sends. */
export interface UnitOptions {
  /**
   * The hop holds each 250 until the chain answers `{ owned }` for the message (a unit in a worker thread: the
   * chain must own the message before its sender hears 250, RFC 5321 §6.1, or it could settle without it).
   */
  ackMessages?: boolean;
}

/**
 * Starts the unit of `plan` in this process: `send` carries its lines to the chain (or stdout), `incoming` brings
 * the chain's; `control` says whether a chain drives it (else it is a compose unit on its own).
 * @throws MailhopError as the in-process runtime does (`EBIND` when its address cannot be bound).
 */
export async function startUnit(
  plan: UnitPlan,
  send: (line: UnitLine) => void,
  incoming: { on(fn: (line: ChainLine) => void): void },
  control: boolean,
  options: UnitOptions = {},
): Promise<StartedUnit> {
  let virtualNow = 0;
  let unit: StartedUnit | undefined;
  const decisions = new PendingAnswers<IdDecision>();
  const owned = new PendingAnswers<void>();
  // The chain announces a connection's delivery over the control socket; a fault may ask before it arrives.
  const deliveries = new AnnouncedDeliveries();
  incoming.on((line) => {
    if ('now' in line) virtualNow = line.now;
    if ('decision' in line) decisions.answer(line.decision.n, line.decision.decision);
    if ('owned' in line) owned.answer(line.owned, undefined);
    if ('clientOf' in line) {
      const { n, upstream } = line.clientOf;
      void Promise.resolve(unit?.clientOf?.(upstream)).then((end) => send({ client: { n, ...(end ? { end } : {}) } }));
    }
    if ('delivery' in line) {
      const { clientPort, ...delivery } = line.delivery;
      deliveries.announced(clientPort, delivery);
    }
  });
  if (plan.kind === 'hop') {
    // A compose hop's certificate comes from a CA of its own, made here (in memory, per start). What only a compose
    // unit needs (the PKI, a relay, id rules) is loaded only there: a worker thread starts sooner without it.
    const keyCert = plan.keyCert ?? (await (await (await import('../pki/run-pki.js')).RunPki.create()).issue(plan.hostname, plan.inbound.cert));
    const hopPlan: HopPlan = { ...plan, keyCert };
    const relay = plan.relay ? (await import('./standalone-relay.js')).standaloneRelay(hopPlan, plan.relay, (event) => send({ event })) : null;
    // Under a chain the chain settles ids when it does (`up`); without one (compose) the hop does: `<hop>-<n>`.
    const assignId: AssignId | undefined = !control
      ? (await import('./standalone-ids.js')).standaloneAssignId(plan.hopId, plan.ids)
      : plan.askIds ? (claim) => decisions.ask((n) => send({ claim: { n, claim } })) : undefined;
    const hop = await startHopInProcess(hopPlan, {
      ...(assignId ? { assignId } : {}),
      emit: (event) => send({ event }),
      date: () => new Date(plan.wallStart + virtualNow),
      onMessage: (m) => {
        if (relay) return relay.enqueue(m);
        const message = { ...m, raw: m.raw.toString('base64') };
        if (!options.ackMessages) return send({ message });
        return owned.ask((ack) => send({ message, ack }));
      },
    });
    return relay ? { ...hop, stop: async () => { relay.stop(); await hop.stop(); } } : hop;
  }
  unit = await startLinkProxyInProcess(plan, {
    onOpen: () => send({ open: true }),
    onRecord: (record) => send({ record }),
    deliveryOf: (port) => deliveries.of(port),
    awaitDelivery: (port, timeoutMs) => deliveries.wait(port, timeoutMs),
    stalled: (port) => send({ stalled: port }),
    // A chain puts an intercept fault's certificate in the plan (runtime.ts); a compose file carries none.
    attackerCert: () => Promise.reject(MailhopError.of('EUSAGE', { where: `link ${plan.name}`, what: 'intercept TLS', why: 'its plan carries no interceptor certificate (a compose unit has none)', link: plan.name })),
  });
  return unit;
}
