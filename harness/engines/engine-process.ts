/**
 * One real MTA process tree: started in its own session (so a whole process group can be
 * signalled), with the kernel killing it if mailhop dies (`setpriv --pdeathsig KILL`), and stopped
 * by SIGTERM, then SIGKILL to its process group and to every process left in its private mount
 * namespace (daemons that fork away from the group still live there). The group is signalled only
 * until Node reaps the daemon (then its pid may be reused), and the namespace is held open by a
 * file descriptor, so its id cannot pass to another engine's namespace while we may still sweep it.
 * If mailhop is killed outright (SIGKILL), an EngineReaper started with the engine does the sweep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineReaper } from './engine-reaper.js';
import { onProcessEnd } from './exit-cleanup.js';

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EngineProcessOptions {
  /** For messages, e.g. `postfix hop relay`. */
  label: string;
  /** The program and its arguments. */
  argv: string[];
  /** Each line the process writes on stdout or stderr. */
  onOutput?: (line: string) => void;
  /** The engine's run folder, for the EngineReaper to remove if mailhop is killed. */
  folder?: string;
}

const OUTPUT_KEPT = 40;
/** How long the program may take to enter its own mount namespace (its `unshare`, normally a few ms), ms. */
const NAMESPACE_WAIT_MS = 10_000;

export class EngineProcess {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | null = null;
  #namespace: string | null = null;
  /** An open handle on the namespace: while it is held, its id cannot be reused by another one. */
  #namespaceFd: number | null = null;
  #output: string[] = [];
  #unregister: () => void;
  #stopping: Promise<void> | null = null;
  #reaper: EngineReaper | null = null;

  private constructor(private readonly child: ChildProcess, options: EngineProcessOptions) {
    if (child.pid === undefined) throw new Error(`${options.label}: could not start ${options.argv[0]}`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        this.#reaper?.groupGone();
        resolve(this.#exit);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('latin1');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        let i: number;
        while ((i = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, i).replace(/\r$/, '');
          buffered = buffered.slice(i + 1);
          this.#output.push(line);
          if (this.#output.length > OUTPUT_KEPT) this.#output.shift();
          options.onOutput?.(line);
        }
      });
    }
    this.#unregister = onProcessEnd(() => {
      this.killSync();
      this.#reaper?.release();
    });
  }

  /**
   * Starts the program in a new session and waits until it is in its own mount namespace (the
   * program must `unshare --mount`, as namespaceCommand's does), then hands it to an EngineReaper.
   * Resolves early if it exits before that (the caller sees `exit`).
   * @throws Error when it cannot be spawned, or does not enter a namespace within 10 s.
   */
  static async start(options: EngineProcessOptions): Promise<EngineProcess> {
    const child = spawn(options.argv[0], options.argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.off('error', reject);
        resolve();
      });
    });
    const proc = new EngineProcess(child, options);
    const deadline = Date.now() + NAMESPACE_WAIT_MS;
    // No event announces the unshare: look until the namespace differs from ours.
    while (!proc.#exit && !proc.recordNamespace()) {
      if (Date.now() > deadline) {
        await proc.stop(0);
        throw new Error(`${options.label}: did not enter its own mount namespace within ${NAMESPACE_WAIT_MS} ms`);
      }
      await sleep(2);
    }
    if (proc.#namespace !== null && proc.#namespaceFd !== null) {
      proc.#reaper = EngineReaper.watch({ processGroup: proc.pid, namespace: { id: proc.#namespace, fd: proc.#namespaceFd }, folder: options.folder });
    }
    return proc;
  }

  /** The exit status once it exited, else null. */
  get exit(): ProcessExit | null {
    return this.#exit;
  }

  /** The last lines it wrote on stdout/stderr (for error messages). */
  output(): string[] {
    return [...this.#output];
  }

  /**
   * Remembers the process's mount namespace once it has its own (after its `unshare`), so stop()
   * can find processes that left the process group; true once remembered. Never our own namespace.
   */
  private recordNamespace(): boolean {
    if (this.#namespace !== null) return true;
    try {
      const fd = openSync(`/proc/${this.pid}/ns/mnt`, 'r');
      const ns = readlinkSync(`/proc/${this.pid}/ns/mnt`);
      if (ns !== readlinkSync('/proc/self/ns/mnt') && !this.#exit) {
        this.#namespace = ns;
        this.#namespaceFd = fd;
        return true;
      }
      closeSync(fd);
    } catch {
      // exited already
    }
    return false;
  }

  /** SIGTERM, up to `graceMs` for an orderly exit, then SIGKILL to everything left. Idempotent. */
  stop(graceMs = 3000): Promise<void> {
    this.#stopping ??= (async () => {
      this.signalAll('SIGTERM');
      if (!this.#exit) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
      }
      this.killSync();
      if (!this.#exit) await Promise.race([this.exited, new Promise((r) => setTimeout(r, 1000))]);
      this.killSync(); // children that outlived the daemon
      this.#reaper?.release();
      if (this.#namespaceFd !== null) closeSync(this.#namespaceFd);
      this.#namespaceFd = null;
      this.#namespace = null;
      this.#unregister();
    })();
    return this.#stopping;
  }

  /** SIGKILL to the process group and every process of the namespace, synchronously. */
  killSync(): void {
    this.signalAll('SIGKILL');
  }

  private signalAll(signal: NodeJS.Signals): void {
    const pids = new Set(this.namespaceMembers());
    // Once Node has reaped it, its pid (and so its process group id) may belong to a new process.
    if (!this.#exit) {
      pids.add(this.pid);
      try {
        process.kill(-this.pid, signal);
      } catch {
        // the group is gone
      }
    }
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone meanwhile
      }
    }
  }

  private namespaceMembers(): number[] {
    if (!this.#namespace) return [];
    const members: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readlinkSync(`/proc/${entry}/ns/mnt`) === this.#namespace) members.push(Number(entry));
      } catch {
        // exited, or not ours to read
      }
    }
    return members;
  }
}
