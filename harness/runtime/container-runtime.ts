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
import { MailhopError } from '../errors.js';
import { probeEngine } from './engine-probe.js';
import { sweepOrphanContainers, type SweepApi } from './container-sweep.js';
import type { ChainRuntime, HopHooks, HopPlan, LinkProxyHooks, LinkProxyPlan, StartedUnit } from './runtime.js';
import type { CarriedDelivery } from '../link/faults/index.js';
import { ControlServer, sendLine } from './control-server.js';
import { startContainerUnit, type UnitContext } from './container-unit.js';

/** Options of {@link containerRuntime}. */
export interface ContainerRuntimeOptions {
  /** The mailhop image (default `MAILHOP_IMAGE`, else `mailhop:local`). */
  image?: string;
  /** Real ms a container may take to start and say hello (default 20 s). */
  startupTimeoutMs?: number;
  /** Real ms the engine probe may take (default 1 s). */
  probeTimeoutMs?: number;
}

let chains = 0;
/** The sweep of containers left by crashed mailhop processes: once per process, before its first container. */
let swept: Promise<unknown> | null = null;

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
  const GenericContainer = await prepareEngine(options.probeTimeoutMs ?? 1000);
  const image = options.image ?? process.env.MAILHOP_IMAGE ?? 'mailhop:local';
  const chain = (chains++ % 250) + 1;
  let units = 0;
  const control = await ControlServer.listen();
  const ctx: UnitContext = { GenericContainer, image, control, startupTimeoutMs: options.startupTimeoutMs ?? 20_000, started: [], hopSockets: new Map() };

  const start = (plan: HopPlan | LinkProxyPlan, hooks: HopHooks | LinkProxyHooks): Promise<StartedUnit> => {
    const unit = `${plan.kind === 'hop' ? plan.hopId : plan.name}#${chain}.${++units}`;
    // A loopback address of its own per unit: a hop is a host, as in the real world (never a bridge here).
    return startContainerUnit(ctx, { unit, host: `127.77.${chain}.${units}` }, plan, hooks);
  };
  return {
    name: 'containers',
    startHop: (plan, hooks) => start(plan, hooks),
    startLinkProxy: (plan, hooks) => start(plan, hooks),
    announce(link: string, clientPort: number, delivery: CarriedDelivery, now: number) {
      sendLine(control.linkProxySocket(link), { delivery: { ...delivery, clientPort } });
      sendLine(ctx.hopSockets.get(link), { now });
    },
    async stop() {
      await Promise.allSettled(ctx.started.map((s) => s.stop()));
      control.close();
    },
  };
}

/**
 * Finds a container engine, points testcontainers at it, imports testcontainers, and sweeps the containers of
 * crashed mailhop processes (once per process); resolves to testcontainers' `GenericContainer`.
 * @throws MailhopError `ENORUNTIME` when no engine answers within `probeTimeoutMs` (real ms), or testcontainers is missing.
 */
async function prepareEngine(probeTimeoutMs: number): Promise<typeof import('testcontainers').GenericContainer> {
  const probe = await probeEngine(probeTimeoutMs);
  if (!probe.ok) {
    throw MailhopError.of('ENORUNTIME', { where: 'container runtime', what: 'start containers', why: probe.reason, hint: 'Start a container engine (Docker or Podman), or point DOCKER_HOST at one.' });
  }
  configureTestcontainers(process.env, probe.dockerHost);
  const { GenericContainer, getContainerRuntimeClient } = await importTestcontainers();
  swept ??= getContainerRuntimeClient().then((client) => sweepOrphanContainers(client.container.dockerode as unknown as SweepApi)).catch(() => undefined);
  await swept;
  return GenericContainer;
}
