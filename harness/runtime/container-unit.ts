/**
 * One hop server or link proxy of a container chain: its container (the mailhop image, host networking, its
 * plan in `MAILHOP_PLAN`), the wait for its `hello` on the control socket, and the started unit the chain gets.
 */
import type { GenericContainer } from 'testcontainers';
import type net from 'node:net';
import { MailhopError } from '../errors.js';
import { PendingAnswers } from './control-line.js';
import { ownerLabels } from './container-sweep.js';
import { sendLine, type ControlServer, type UnitHello } from './control-server.js';
import type { HopHooks, HopPlan, LinkProxyHooks, LinkProxyPlan, StartedUnit } from './runtime.js';
import type { PeerEnd } from '../mta/id-claim.js';

/** What to do when a container never reports: it is most likely not running mailhop's image. */
const IMAGE_HINT = '`docker build -t mailhop:local .` builds mailhop\'s image; MAILHOP_IMAGE names another.';

/** What every unit of one chain shares. */
export interface UnitContext {
  /** testcontainers' class, imported once an engine answered. */
  GenericContainer: typeof GenericContainer;
  image: string;
  control: ControlServer;
  /** Real ms a container may take to start and say hello. */
  startupTimeoutMs: number;
  /** Every container started, to stop with the chain (also those that never said hello). */
  started: Array<{ stop(): Promise<unknown> }>;
  /** Each hop's control socket by its inbound link (for the chain's virtual `now`). */
  hopSockets: Map<string, net.Socket>;
}

/**
 * Starts `plan` in a container as unit `unit` (`<hop or link>#<chain>.<n>`) on its own loopback address `host`,
 * and resolves once it said hello.
 * @throws MailhopError `ESTART` naming the container when it does not start, or does not report within
 *   `startupTimeoutMs` (then it is stopped).
 */
export async function startContainerUnit(
  ctx: UnitContext,
  { unit, host }: { unit: string; host: string },
  plan: HopPlan | LinkProxyPlan,
  hooks: HopHooks | LinkProxyHooks,
): Promise<StartedUnit> {
  const timeoutMs = ctx.startupTimeoutMs;
  const clients = new PendingAnswers<PeerEnd | undefined>();
  const about = plan.kind === 'hop' ? { hop: plan.hopId } : { link: plan.name };
  const { hello, cancel } = expectHello(ctx.control, unit, { hooks, kind: plan.kind, clients }, timeoutMs, () =>
    MailhopError.of('ESTART', { where: `container ${unit}`, what: `start it from ${ctx.image}`, why: `it did not report within ${timeoutMs} ms`, hint: IMAGE_HINT, ...about }));
  const container = await new ctx.GenericContainer(ctx.image)
    .withNetworkMode('host')
    .withLabels(ownerLabels())
    // A hop asks the chain how to settle each message's id when the chain does that (`mailhop up`).
    .withEnvironment({ MAILHOP_PLAN: JSON.stringify({ ...plan, host, ...(plan.kind === 'hop' && (hooks as HopHooks).assignId ? { askIds: true } : {}) }), MAILHOP_CONTROL: ctx.control.address, MAILHOP_UNIT: unit })
    .withStartupTimeout(timeoutMs)
    .start()
    .catch((err: Error) => {
      cancel();
      throw MailhopError.of('ESTART', { where: `container ${unit}`, what: `start it from ${ctx.image}`, why: err.message, ...about, cause: err });
    });
  const stopContainer = () => container.stop({ timeout: 1000 }).then(() => undefined, () => undefined);
  ctx.started.push({ stop: stopContainer });
  const { socket, address } = await hello.finally(cancel).catch(async (err) => {
    await stopContainer();
    throw err;
  });
  if (plan.kind === 'hop') ctx.hopSockets.set(plan.inboundLink, socket);
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= (async () => {
    socket.end();
    await stopContainer();
  })());
  const clientOf = (upstream: PeerEnd) => clients.ask((n) => sendLine(socket, { clientOf: { n, upstream } }));
  return { address, records: () => [], ...(plan.kind === 'link' ? { clientOf } : {}), stop, [Symbol.asyncDispose]: stop };
}

/**
 * Registers `unit` with the control server and waits for its hello; `timeout()` gives the error it rejects with
 * after `timeoutMs` unless `cancel()` was called first.
 */
function expectHello(
  control: ControlServer,
  unit: string,
  expected: { hooks: HopHooks | LinkProxyHooks; kind: 'hop' | 'link'; clients: PendingAnswers<PeerEnd | undefined> },
  timeoutMs: number,
  timeout: () => Error,
): { hello: Promise<UnitHello>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const hello = new Promise<UnitHello>((resolve, reject) => {
    control.expect(unit, { resolve, ...expected });
    timer = setTimeout(() => reject(timeout()), timeoutMs);
  });
  hello.catch(() => {});
  return { hello, cancel: () => clearTimeout(timer) };
}
