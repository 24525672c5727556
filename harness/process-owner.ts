/**
 * Who owns something mailhop leaves on the machine while it runs (a run folder, a container): the
 * process id and the boot it ran in. After a hard crash (SIGKILL, the OOM killer) no cleanup code
 * runs; the next mailhop process removes what belongs to owners that no longer run.
 */
import { readFileSync } from 'node:fs';

/** This machine's boot id (`/proc/sys/kernel/random/boot_id`), or `unknown`. A pid means nothing across boots. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** The owner mark of this process: `<pid> <boot id>`. */
export function ownerMark(): string {
  return `${process.pid} ${bootId()}`;
}

/** True when `pid` runs now (also when it is someone else's: EPERM). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when an owner `pid` of boot `boot` is gone: another boot, an invalid pid, or a pid that no longer runs. */
export function ownerGone(pid: number, boot: string | undefined): boolean {
  return boot !== bootId() || !processAlive(pid);
}
