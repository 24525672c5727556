/**
 * Containers a crashed mailhop left behind. Every unit container carries who started it: the
 * owning process id and the machine's boot id (labels {@link OWNER_PID_LABEL}, {@link BOOT_LABEL}).
 * A unit ends itself when its chain's control socket closes (container-entry.ts), so after a hard
 * crash (SIGKILL, OOM) its container is left stopped, not removed; the first container runtime of
 * the next mailhop process removes every container whose owner is no longer running.
 */
import { bootId, ownerGone } from '../process-owner.js';

/** Label holding the owning mailhop process id. */
export const OWNER_PID_LABEL = 'org.mailhop.owner-pid';
/** Label holding the boot id of the machine it ran on (a pid means nothing after a reboot). */
export const BOOT_LABEL = 'org.mailhop.boot-id';

/** The labels a unit container of this process carries. */
export function ownerLabels(): Record<string, string> {
  return { [OWNER_PID_LABEL]: String(process.pid), [BOOT_LABEL]: bootId() };
}

/** What the sweep needs of the Docker API (dockerode's shape). */
export interface SweepApi {
  listContainers(options: { all: boolean; filters: string }): Promise<Array<{ Id: string; Labels: Record<string, string>; State: string }>>;
  getContainer(id: string): { remove(options: { force: boolean; v: boolean }): Promise<unknown> };
}

/**
 * Removes (forcefully, with anonymous volumes) every mailhop unit container whose owning process
 * is gone: another boot, or a pid that no longer runs. Containers of running mailhop processes are
 * left alone. Never throws: a failed removal is returned, not raised.
 * @returns ids removed, and `id: reason` for those that could not be
 */
export async function sweepOrphanContainers(api: SweepApi): Promise<{ removed: string[]; failed: string[] }> {
  const removed: string[] = [];
  const failed: string[] = [];
  const listed = await api.listContainers({ all: true, filters: JSON.stringify({ label: [OWNER_PID_LABEL] }) }).catch(() => []);
  for (const c of listed) {
    if (!ownerGone(Number(c.Labels[OWNER_PID_LABEL]), c.Labels[BOOT_LABEL])) continue;
    try {
      await api.getContainer(c.Id).remove({ force: true, v: true });
      removed.push(c.Id);
    } catch (error) {
      failed.push(`${c.Id}: ${(error as Error).message}`);
    }
  }
  return { removed, failed };
}
