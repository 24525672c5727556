/**
 * What runs inside a mailhop container: one hop server or one link proxy from the JSON plan in
 * `MAILHOP_PLAN` (runtime.ts). With `MAILHOP_CONTROL=host:port` it reports to the chain that started
 * it (container-runtime.ts); without, it prints its events as JSON lines on stdout and a hop relays
 * on its own (`plan.relay`, written by `mailhop compose`).
 */
import net from 'node:net';
import { lineReader, type ChainLine, type UnitLine } from './control-line.js';
import { startUnit, type UnitPlan } from './start-unit.js';

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
