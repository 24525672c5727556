/**
 * A process started beside a real engine (engine-definition.ts `BesideProcess`): in its own mount namespace (so an
 * EngineProcess can stop it, and an EngineReaper sweep it if mailhop dies), with the engine's view of names, and
 * waited for until it writes the line that says it serves: the engine may ask it from its first delivery on.
 */
import type { BesideProcess } from './engine-definition.js';
import { EngineProcess } from './engine-process.js';
import { namespaceCommand, type NamespaceSpec } from './engine-namespace.js';
import type { MtaPaths } from './mta-paths.js';
import type { RunFolder } from './run-folder.js';

/** Real time a process beside an engine may take to be ready, ms (mta-sts-daemon, a Python program, takes ~0.5 s). */
export const BESIDE_READY_MS = 15_000;

/**
 * Starts `spec` in a namespace like the engine's (`names`: its hostname, address, hosts and resolv.conf) and waits for
 * its ready line; every line it writes goes to `onLine` as `<label>: <line>`.
 * @throws Error naming the process and its last output when it exits, or is not ready within `timeoutMs`.
 */
export async function startBeside(
  folder: RunFolder,
  spec: BesideProcess,
  names: Pick<NamespaceSpec, 'hostname' | 'address' | 'hosts' | 'resolvConf'>,
  paths: MtaPaths,
  onLine: (line: string) => void,
  timeoutMs = BESIDE_READY_MS,
): Promise<EngineProcess> {
  const argv = namespaceCommand(folder, { ...names, syslog: false, dir: `ns-${spec.label}`, hostsFromDns: spec.hostsFromDns, command: spec.command }, paths);
  let ready = () => {};
  const isReady = new Promise<'ready'>((resolve) => (ready = () => resolve('ready')));
  const proc = await EngineProcess.start({
    label: spec.label,
    argv,
    onOutput: (line) => {
      onLine(`${spec.label}: ${line}`);
      if (spec.ready.test(line)) ready();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const result = await Promise.race([isReady, proc.exited, timedOut]).finally(() => clearTimeout(timer));
  if (result === 'ready') return proc;
  await proc.stop(0);
  const why = result === 'timeout' ? `did not say it serves within ${timeoutMs} ms` : `exited (${result.signal ?? `code ${result.code}`}) before it served`;
  const output = proc.output().filter((l) => l.trim()).slice(-8);
  throw new Error(`${spec.label} ${why}${output.length ? `; last output:\n    ${output.join('\n    ')}` : ''}`);
}
