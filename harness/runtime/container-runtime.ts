/**
 * The container runtime: each hop server and each link proxy of a chain runs in its own container
 * (the mailhop image, `Dockerfile`), started through Testcontainers with its plan in `MAILHOP_PLAN`.
 * Containers share the host's network namespace (`--network host`) and each binds its own loopback
 * address (127.77.<chain>.<unit>), so hops are distinct hosts as far as addresses go; they report
 * their events, wire records and accepted messages as JSON lines over a loopback socket of this
 * process (control-line.ts), and the chain records them in its trace as if they ran here, so
 * verdicts are the same.
 *
 * testcontainers is imported only after probeEngine() found an engine: without one the runtime
 * fails in milliseconds with what it tried, instead of testcontainers' bare "no strategy" (or its
 * hang on an engine that does not answer).
 */
import net from 'node:net';
import { MailhopError } from '../errors.js';
import type { WireRecord } from '../link/wire-record.js';
import { lineReader, PendingAnswers, type ChainLine, type UnitLine } from './control-line.js';
import { probeEngine } from './engine-probe.js';
import { ownerLabels, sweepOrphanContainers, type SweepApi } from './container-sweep.js';
import type { Address, ChainRuntime, HopHooks, HopPlan, LinkProxyHooks, LinkProxyPlan, StartedUnit } from './runtime.js';
import type { CarriedDelivery } from '../link/faults/index.js';
import type { IdDecision, PeerEnd } from '../mta/id-claim.js';

/** Options of {@link containerRuntime}. */
export interface ContainerRuntimeOptions {
  /** The mailhop image (default `MAILHOP_IMAGE`, else `mailhop:local`). */
  image?: string;
  /** Real ms a container may take to start and say hello (default 20 s). */
  startupTimeoutMs?: number;
  /** Real ms the engine probe may take (default 1 s). */
  probeTimeoutMs?: number;
}

/** What to do when a container never reports: it is most likely not running mailhop's image. */
const IMAGE_HINT = '`docker build -t mailhop:local .` builds mailhop\'s image; MAILHOP_IMAGE names another.';

let chains = 0;
/** The sweep of containers left by crashed mailhop processes: once per process, before its first container. */
let swept: Promise<unknown> | null = null;

interface Pending {
  resolve(v: { socket: net.Socket; address: Address }): void;
  hooks: HopHooks | LinkProxyHooks;
  kind: 'hop' | 'link';
  /** A link proxy's answers to `clientOf` questions. */
  clients: PendingAnswers<PeerEnd | undefined>;
}

/**
 * Fills in the settings the container runtime needs from testcontainers, in `env`, keeping any already there:
 * no Ryuk (the reaper is an image pulled from a registry; the units end themselves when the chain's socket
 * closes), the host as 127.0.0.1 (host networking only: testcontainers would otherwise look the host up on the
 * default bridge network, which an engine started with --bridge=none lacks, and report no working strategy), and
 * the engine the probe found. testcontainers 12 reads these from `process.env` and nowhere else (reaper.js,
 * resolve-host.js, strategies/utils/config.js), so the runtime passes `process.env`: the one change it makes to
 * this process, made here and only when a container chain starts.
 */
export function configureTestcontainers(env: NodeJS.ProcessEnv, dockerHost: string): void {
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  env.DOCKER_HOST ??= dockerHost;
}

/**
 * testcontainers, an optional peer dependency: only users of the container runtime install it.
 * @throws MailhopError `ENORUNTIME` saying what to install when it is missing.
 */
async function importTestcontainers(): Promise<typeof import('testcontainers')> {
  try {
    return await import('testcontainers');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw MailhopError.of('ENORUNTIME', {
      where: 'container runtime',
      what: 'start containers',
      why: 'the testcontainers package is not installed (an optional peer dependency of mailhop)',
      hint: 'Run `npm install --save-dev testcontainers@12`.',
    });
  }
}

/**
 * Makes a container runtime for one chain.
 * @throws MailhopError `ENORUNTIME` within ~1 s when no engine answers, naming the DOCKER_HOST tried; `ESTART` when a
 *   container does not start or report.
 */
export async function containerRuntime(options: ContainerRuntimeOptions = {}): Promise<ChainRuntime> {
  const probe = await probeEngine(options.probeTimeoutMs ?? 1000);
  if (!probe.ok) {
    throw MailhopError.of('ENORUNTIME', { where: 'container runtime', what: 'start containers', why: probe.reason, hint: 'Start a container engine (Docker or Podman), or point DOCKER_HOST at one.' });
  }
  configureTestcontainers(process.env, probe.dockerHost);
  const { GenericContainer, getContainerRuntimeClient } = await importTestcontainers();
  swept ??= getContainerRuntimeClient().then((client) => sweepOrphanContainers(client.container.dockerode as unknown as SweepApi)).catch(() => undefined);
  await swept;
  const image = options.image ?? process.env.MAILHOP_IMAGE ?? 'mailhop:local';
  const chain = (chains++ % 250) + 1;
  let units = 0;
  const pending = new Map<string, Pending>();
  const sockets = new Map<string, net.Socket>();
  const hopSockets = new Map<string, net.Socket>();

  const control = net.createServer((socket) => {
    socket.setNoDelay(true);
    let unit: string | null = null;
    socket.on('error', () => {});
    // A unit that went away answers nothing more: its open questions get "no such connection".
    socket.on('close', () => {
      if (unit) pending.get(unit)?.clients.closeAll(undefined);
    });
    socket.on('data', lineReader((value) => {
      const line = value as UnitLine;
      if ('hello' in line) {
        unit = line.hello;
        const p = pending.get(unit);
        if (!p) return void socket.destroy();
        sockets.set(unit, socket);
        return p.resolve({ socket, address: line.address });
      }
      const p = unit && pending.get(unit);
      if (!p) return;
      if (p.kind === 'hop') {
        const hooks = p.hooks as HopHooks;
        if ('event' in line) hooks.emit(line.event);
        else if ('message' in line) hooks.onMessage({ ...line.message, raw: Buffer.from(line.message.raw, 'base64') });
        else if ('claim' in line) {
          const { n, claim } = line.claim;
          // The hop asks only when the chain settles ids (plan.askIds); the fallback believes, as without `up`.
          const answer = (decision: IdDecision) => send(socket, { decision: { n, decision } });
          if (!hooks.assignId) answer({ believed: true, id: claim.id ?? '' });
          else void Promise.resolve(hooks.assignId(claim)).then(answer);
        }
      } else {
        const hooks = p.hooks as LinkProxyHooks;
        if ('open' in line) hooks.onOpen();
        else if ('record' in line) hooks.onRecord(line.record as WireRecord);
        else if ('client' in line) p.clients.answer(line.client.n, line.client.end);
      }
    }));
  });
  await new Promise<void>((resolve, reject) => control.once('error', reject).listen(0, '127.0.0.1', resolve));
  const controlAddress = `127.0.0.1:${(control.address() as net.AddressInfo).port}`;
  const started: Array<{ stop(): Promise<unknown> }> = [];

  const start = async (plan: HopPlan | LinkProxyPlan, hooks: HopHooks | LinkProxyHooks): Promise<StartedUnit> => {
    const unit = `${plan.kind === 'hop' ? plan.hopId : plan.name}#${chain}.${++units}`;
    // A loopback address of its own per unit: a hop is a host, as in the real world (never a bridge here).
    const host = `127.77.${chain}.${units}`;
    const timeoutMs = options.startupTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const clients = new PendingAnswers<PeerEnd | undefined>();
    const about = plan.kind === 'hop' ? { hop: plan.hopId } : { link: plan.name };
    const hello = new Promise<{ socket: net.Socket; address: Address }>((resolve, reject) => {
      pending.set(unit, { resolve, hooks, kind: plan.kind, clients });
      const why = `it did not report within ${timeoutMs} ms`;
      timer = setTimeout(() => reject(MailhopError.of('ESTART', { where: `container ${unit}`, what: `start it from ${image}`, why, hint: IMAGE_HINT, ...about })), timeoutMs);
    });
    hello.catch(() => {});
    const container = await new GenericContainer(image)
      .withNetworkMode('host')
      .withLabels(ownerLabels())
      // A hop asks the chain how to settle each message's id when the chain does that (`mailhop up`).
      .withEnvironment({ MAILHOP_PLAN: JSON.stringify({ ...plan, host, ...(plan.kind === 'hop' && (hooks as HopHooks).assignId ? { askIds: true } : {}) }), MAILHOP_CONTROL: controlAddress, MAILHOP_UNIT: unit })
      .withStartupTimeout(timeoutMs)
      .start()
      .catch((err: Error) => {
        clearTimeout(timer);
        throw MailhopError.of('ESTART', { where: `container ${unit}`, what: `start it from ${image}`, why: err.message, ...about, cause: err });
      });
    const stopContainer = () => container.stop({ timeout: 1000 }).then(() => undefined, () => undefined);
    started.push({ stop: stopContainer });
    const { socket, address } = await hello.finally(() => clearTimeout(timer)).catch(async (err) => {
      await stopContainer();
      throw err;
    });
    if (plan.kind === 'hop') hopSockets.set(plan.inboundLink, socket);
    let stopping: Promise<void> | null = null;
    const stop = () => (stopping ??= (async () => {
      socket.end();
      await stopContainer();
    })());
    const clientOf = (upstream: PeerEnd) => clients.ask((n) => send(socket, { clientOf: { n, upstream } }));
    return { address, records: () => [], ...(plan.kind === 'link' ? { clientOf } : {}), stop, [Symbol.asyncDispose]: stop };
  };

  const send = (socket: net.Socket | undefined, line: ChainLine) => socket?.write(`${JSON.stringify(line)}\n`);
  return {
    name: 'containers',
    startHop: (plan, hooks) => start(plan, hooks),
    startLinkProxy: (plan, hooks) => start(plan, hooks),
    announce(link: string, clientPort: number, delivery: CarriedDelivery, now: number) {
      const proxy = [...sockets.entries()].find(([unit]) => unit.startsWith(`${link}#`))?.[1];
      send(proxy, { delivery: { ...delivery, clientPort } });
      send(hopSockets.get(link), { now });
    },
    async stop() {
      await Promise.allSettled(started.map((s) => s.stop()));
      control.close();
      for (const s of sockets.values()) s.destroy();
    },
  };
}
