/**
 * What runs inside a mailhop container: one hop server or one link proxy from the JSON plan in
 * `MAILHOP_PLAN` (runtime.ts). With `MAILHOP_CONTROL=host:port` it reports to the chain that started
 * it (container-runtime.ts); without, it prints its events as JSON lines on stdout and a hop relays
 * on its own (`plan.relay`, written by `mailhop compose`).
 */
import net from 'node:net';
import { lineReader, type ChainLine, type UnitLine } from './control-line.js';
import { startHopInProcess, startLinkProxyInProcess } from './in-process-runtime.js';
import type { HopPlan, LinkProxyPlan, StartedUnit } from './runtime.js';
import type { CarriedDelivery } from '../link/faults/index.js';
import { standaloneRelay, type StandaloneRelayPlan } from './standalone-relay.js';
import { RunPki, type KeyCert } from '../pki/run-pki.js';

/**
 * A plan as the container gets it: a hop may carry its own relay (compose), and a compose hop carries
 * no key: it makes its certificate when it starts, so no private key is ever written into a compose file.
 */
export type UnitPlan = (Omit<HopPlan, 'keyCert'> & { keyCert?: KeyCert; relay?: StandaloneRelayPlan }) | LinkProxyPlan;

/** Starts the unit of `plan`; `send` carries its lines. Exported for tests. */
export async function startUnit(
  plan: UnitPlan,
  send: (line: UnitLine) => void,
  incoming: { on(fn: (line: ChainLine) => void): void },
  control: boolean,
): Promise<StartedUnit> {
  let virtualNow = 0;
  const deliveries = new Map<number, CarriedDelivery>();
  // The chain announces a connection's delivery over the control socket; a fault may ask before it arrives.
  const waiting = new Map<number, Array<(delivery: CarriedDelivery) => void>>();
  incoming.on((line) => {
    if ('now' in line) virtualNow = line.now;
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
    let stamped = 0;
    const unit = await startHopInProcess(hopPlan, {
      // Without a chain (compose), mail sent by hand gets an id here: `<hop>-<n>`.
      ...(control ? {} : { stampMissingId: () => `${plan.hopId}-${++stamped}` }),
      emit: (event) => send({ event }),
      date: () => new Date(plan.wallStart + virtualNow),
      onMessage: (m) => {
        if (relay) return relay.enqueue(m);
        send({ message: { ...m, raw: m.raw.toString('base64') } });
      },
    });
    return relay ? { ...unit, stop: async () => { relay.stop(); await unit.stop(); } } : unit;
  }
  return startLinkProxyInProcess(plan, {
    onOpen: () => send({ open: true }),
    onRecord: (record) => send({ record }),
    deliveryOf: (port) => deliveries.get(port),
    awaitDelivery,
    attackerCert: () => Promise.reject(new Error('no attacker certificate in the plan')),
  });
}

async function main(): Promise<void> {
  const raw = process.env.MAILHOP_PLAN;
  if (!raw) {
    process.stderr.write('mailhop container: MAILHOP_PLAN (a JSON hop or link plan) is not set\n');
    process.exit(2);
  }
  const plan = JSON.parse(raw) as UnitPlan;
  const control = process.env.MAILHOP_CONTROL;
  const listeners: Array<(line: ChainLine) => void> = [];
  const incoming = { on: (fn: (line: ChainLine) => void) => listeners.push(fn) };
  let send: (line: UnitLine) => void = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
  let socket: net.Socket | null = null;
  if (control) {
    const [host, port] = [control.slice(0, control.lastIndexOf(':')), Number(control.slice(control.lastIndexOf(':') + 1))];
    socket = net.connect({ host, port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket!.once('connect', resolve).once('error', reject));
    socket.on('data', lineReader((v) => listeners.forEach((l) => l(v as ChainLine))));
    // The chain going away ends the unit (a container left behind would hold the address).
    socket.on('close', () => process.exit(0));
    socket.on('error', () => process.exit(0));
    const s = socket;
    send = (line) => void s.write(`${JSON.stringify(line)}\n`);
  }
  const unit = await startUnit(plan, send, incoming, Boolean(control));
  const name = plan.kind === 'hop' ? plan.hopId : plan.name;
  send({ hello: process.env.MAILHOP_UNIT ?? name, address: unit.address });
  process.stdout.write(`mailhop ${plan.kind} ${name} listening on ${unit.address.host}:${unit.address.port}\n`);
  const stop = () => void unit.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
