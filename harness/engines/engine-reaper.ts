/**
 * A watchdog that kills a real engine when mailhop itself is killed without a chance to clean up
 * (SIGKILL, the OOM killer). EngineProcess's own sweep runs on stop() and from exit/signal handlers,
 * and none of those run then. `setpriv --pdeathsig KILL` does not cover it: the kernel sends the
 * parent-death signal only to the direct child, not to the daemons it forks, and resets it when that
 * child changes credentials (prctl(2)). Postfix's master does both: it switches its effective uid
 * and gid to the mail owner at startup, and after a SIGKILL of mailhop, master and its children kept
 * running, and the run folder stayed.
 *
 * So each engine gets a small `/bin/sh` in its own session (signals to mailhop's process group miss
 * it), with no parent-death signal. Its stdin is a pipe from mailhop, and it blocks reading it.
 * - `done` (the engine was stopped and swept): it exits and touches nothing.
 * - `group-gone` (Node reaped the engine's first process, so its pid and group id may be reused):
 *   it forgets the process group.
 * - EOF (mailhop died and the kernel closed its end of the pipe): it sends SIGKILL to the process
 *   group and to every process whose /proc/<pid>/ns/mnt is the engine's mount namespace, repeating
 *   until none is left, and then removes the run folder.
 *
 * EOF comes only when every copy of the write end is closed: Node opens it close-on-exec, so
 * engines and other children spawned later never hold it. The watchdog keeps the namespace open
 * (fd 3), so the id it compares with cannot pass to a new namespace while it may still sweep. It
 * does not keep Node's event loop alive.
 *
 * @example
 * const reaper = EngineReaper.watch({ processGroup: pid, namespace: { id: 'mnt:[4026532841]', fd }, folder });
 * // ... on stop, after killing everything:
 * reaper.release();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { MailhopError } from '../errors.js';

export interface ReaperTarget {
  /** The engine's process group id (the pid of its first process). */
  processGroup: number;
  /** Its mount namespace: the id as /proc shows it (`mnt:[4026532841]`) and an open fd on it. */
  namespace: { id: string; fd: number };
  /** Its run folder, removed after the sweep. */
  folder?: string;
}

/** Args: $1 process group, $2 namespace id, $3 run folder (may be empty). Fd 3: the namespace. */
const SCRIPT = `
group=$1 ns=$2 folder=$3
while read -r line; do
  case $line in
    done) exit 0 ;;
    group-gone) group= ;;
  esac
done
[ -n "$group" ] && kill -9 "-$group" 2>/dev/null
n=\${ns#"mnt:["}; n=\${n%"]"}
i=0
while [ $i -lt 500 ]; do
  left=$(find /proc/[0-9]*/ns/mnt -maxdepth 0 -lname "mnt:\\[$n\\]" 2>/dev/null)
  [ -z "$left" ] && break
  for p in $left; do p=\${p#/proc/}; kill -9 "\${p%%/*}" 2>/dev/null; done
  i=$((i + 1))
  sleep 0.01
done
exec 3<&-
[ -n "$folder" ] && { rm -rf -- "$folder" || { sleep 0.1; rm -rf -- "$folder"; }; }
exit 0
`;

const NAMESPACE_ID = /^mnt:\[\d+\]$/;

export class EngineReaper {
  #released = false;

  private constructor(private readonly child: ChildProcess) {}

  /**
   * Spawns the watchdog for one engine. It holds nothing of Node's event loop.
   * @throws MailhopError `EINTERNAL` when `namespace.id` is not `mnt:[<inode>]` (EngineProcess reads it from /proc).
   */
  static watch(target: ReaperTarget): EngineReaper {
    if (!NAMESPACE_ID.test(target.namespace.id)) {
      throw MailhopError.of('EINTERNAL', { where: 'engine reaper', what: `watch namespace ${JSON.stringify(target.namespace.id)}`, why: 'it is not a mount namespace id (mnt:[<inode>])' });
    }
    const child = spawn('/bin/sh', ['-c', SCRIPT, 'mailhop-reaper', String(target.processGroup), target.namespace.id, target.folder ?? ''], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore', target.namespace.fd],
      cwd: '/',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    // Best effort: if /bin/sh cannot run, the engine still runs (and is still swept on stop and on signals).
    child.on('error', () => {});
    const stdin = child.stdin as Socket | null;
    stdin?.on('error', () => {}); // the watchdog was killed: nothing to tell it any more
    stdin?.unref();
    child.unref();
    return new EngineReaper(child);
  }

  /** The engine's first process was reaped: from now on its group id may name someone else's group. */
  groupGone(): void {
    this.#send('group-gone');
  }

  /** The engine was stopped and swept: the watchdog exits without touching anything. Idempotent. */
  release(): void {
    this.#send('done');
    if (!this.#released) this.child.stdin?.end();
    this.#released = true;
  }

  #send(line: string): void {
    // A small write to a pipe goes out at once, also from an `exit` handler.
    if (!this.#released && this.child.stdin?.writable) this.child.stdin.write(`${line}\n`);
  }
}
