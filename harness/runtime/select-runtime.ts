/**
 * Which runtime a chain uses: the API's choice, else `MAILHOP_RUNTIME`, else in-process.
 */
import { MailhopError } from '../errors.js';
import { inProcessRuntime } from './in-process-runtime.js';
import type { ChainRuntime, RuntimeName } from './runtime.js';

/** A runtime by name, or a ready one (tests), or how to make one per chain. */
export type RuntimeChoice = RuntimeName | ChainRuntime | (() => Promise<ChainRuntime>);

/** The runtime names `--runtime` and `MAILHOP_RUNTIME` accept. */
export const RUNTIME_NAMES: readonly RuntimeName[] = ['in-process', 'containers'];

/** Parses a runtime name. @throws MailhopError `ECHAIN` for anything else. */
export function runtimeName(value: string): RuntimeName {
  if ((RUNTIME_NAMES as readonly string[]).includes(value)) return value as RuntimeName;
  throw new MailhopError('ECHAIN', `unknown runtime "${value}" (expected ${RUNTIME_NAMES.join(' or ')})`);
}

/** Makes one chain's runtime. The container runtime (and testcontainers) is loaded only when chosen. */
export async function selectRuntime(choice: RuntimeChoice | undefined): Promise<ChainRuntime> {
  const picked = choice ?? (process.env.MAILHOP_RUNTIME ? runtimeName(process.env.MAILHOP_RUNTIME) : 'in-process');
  if (typeof picked === 'function') return picked();
  if (typeof picked === 'object') return picked;
  if (picked === 'in-process') return inProcessRuntime();
  const { containerRuntime } = await import('./container-runtime.js');
  return containerRuntime();
}
