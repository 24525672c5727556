/**
 * Which runtime a chain uses: the API's choice, else `MAILHOP_RUNTIME`, else in-process.
 */
import { MailhopError } from '../errors.js';
import { inProcessRuntime } from './in-process-runtime.js';
import { workerRuntime } from './worker-runtime.js';
import type { ChainRuntime, RuntimeName } from './runtime.js';

/** A runtime by name, or a ready one (tests), or how to make one per chain. */
export type RuntimeChoice = RuntimeName | ChainRuntime | (() => Promise<ChainRuntime>);

/** The runtime names `--runtime` and `MAILHOP_RUNTIME` accept. */
export const RUNTIME_NAMES: readonly RuntimeName[] = ['in-process', 'workers', 'containers'];

/**
 * Parses a runtime name, given as `from` (`--runtime`, or an environment variable such as `MAILHOP_RUNTIME`).
 * @throws MailhopError `EUSAGE` for anything else: `--runtime vm: cannot run hops there: the runtimes are in-process, workers and containers.`
 */
export function runtimeName(value: string, from = '--runtime'): RuntimeName {
  if ((RUNTIME_NAMES as readonly string[]).includes(value)) return value as RuntimeName;
  const where = from.startsWith('--') ? `${from} ${value}` : `${from}=${value}`;
  const names = `${RUNTIME_NAMES.slice(0, -1).join(', ')} and ${RUNTIME_NAMES[RUNTIME_NAMES.length - 1]}`;
  throw MailhopError.of('EUSAGE', { where, what: 'run hops there', why: `the runtimes are ${names}` });
}

/** Makes one chain's runtime. The container runtime (and testcontainers) is loaded only when chosen. */
export async function selectRuntime(choice: RuntimeChoice | undefined): Promise<ChainRuntime> {
  const picked = choice ?? (process.env.MAILHOP_RUNTIME ? runtimeName(process.env.MAILHOP_RUNTIME, 'MAILHOP_RUNTIME') : 'in-process');
  if (typeof picked === 'function') return picked();
  if (typeof picked === 'object') return picked;
  if (picked === 'in-process') return inProcessRuntime();
  if (picked === 'workers') return workerRuntime();
  const { containerRuntime } = await import('./container-runtime.js');
  return containerRuntime();
}
