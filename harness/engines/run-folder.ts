/**
 * The per-run folder of one engine: its configuration, certificates, queue and namespace files,
 * created mode 0700 under the system's temporary directory and removed when the engine stops.
 * An engine whose unprivileged user reaches files by absolute path (Exim, Postfix's data
 * directory) gets the folder chowned to that user, still 0700.
 *
 * A folder holds a private key, so it must not outlive mailhop: it is removed on stop, on exit and
 * on SIGINT/SIGTERM/SIGHUP (exit-cleanup.ts) from the moment it exists, not only once its engine
 * runs. Against SIGKILL, where no code runs, each folder carries an owner mark ({@link OWNER_FILE}:
 * pid and boot id), and every chain start (chain/chain.ts), mock-only ones included, first removes
 * the marked folders of owners that no longer run: a key left by a killed run does not wait for
 * the next run that happens to start an engine.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ownerGone, ownerMark } from '../process-owner.js';
import { onProcessEnd } from './exit-cleanup.js';

/** The owner mark in every run folder: `<pid> <boot id>`. */
export const OWNER_FILE = '.mailhop-owner';

/**
 * Removes the run folders (`mailhop-*` in `dir` with an owner mark) whose owner no longer runs;
 * folders without a mark and those of running owners are left alone. Never throws.
 * @returns the paths removed
 */
export function sweepOrphanFolders(dir = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('mailhop-'));
  } catch {
    return removed;
  }
  for (const name of names) {
    const folder = path.join(dir, name);
    try {
      const [pid, boot] = readFileSync(path.join(folder, OWNER_FILE), 'utf8').trim().split(' ');
      if (!ownerGone(Number(pid), boot)) continue;
      rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
      removed.push(folder);
    } catch {
      // no mark (not a run folder, or one being made right now), or already gone
    }
  }
  return removed;
}

let swept = false;

/**
 * {@link sweepOrphanFolders} of the system's temporary folder, the first time this process asks; later calls do
 * nothing. Folders are orphaned only by a process that died before it could remove them, so one sweep when a process
 * starts its first chain finds them all; sweeping at every chain cost 15 ms a chain with 400 unmarked `mailhop-*`
 * folders in /tmp (one failed read each), a tenth of `mailhop run scenarios/`.
 */
export function sweepOrphanFoldersOnce(): void {
  if (swept) return;
  swept = true;
  sweepOrphanFolders();
}

/** A user and group id, e.g. from {@link userIds}. */
export interface Owner {
  uid: number;
  gid: number;
}

export class RunFolder {
  private removed = false;
  readonly #unregister: () => void;

  private constructor(readonly path: string) {
    this.#unregister = onProcessEnd(() => this.remove());
  }

  /**
   * Creates `/tmp/mailhop-<label>-XXXXXX`, mode 0700, owned by `owner` (default: this process),
   * with this process's owner mark.
   */
  static create(label: string, owner?: Owner): RunFolder {
    const dir = mkdtempSync(path.join(tmpdir(), `mailhop-${label}-`));
    chmodSync(dir, 0o700);
    writeFileSync(path.join(dir, OWNER_FILE), `${ownerMark()}\n`, { mode: 0o600 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
    return new RunFolder(dir);
  }

  /** Absolute path of `rel` inside the folder. */
  at(...rel: string[]): string {
    return path.join(this.path, ...rel);
  }

  /** Makes a folder (and its parents) inside; returns its path. */
  dir(rel: string, mode = 0o755, owner?: Owner): string {
    const p = this.at(rel);
    mkdirSync(p, { recursive: true });
    chmodSync(p, mode);
    if (owner) chownSync(p, owner.uid, owner.gid);
    return p;
  }

  /** Writes a file inside (parents created); returns its path. */
  file(rel: string, content: string | Buffer, mode = 0o644, owner?: Owner): string {
    const p = this.at(rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content, { mode });
    chmodSync(p, mode);
    if (owner) chownSync(p, owner.uid, owner.gid);
    return p;
  }

  /** Removes the folder and everything in it. Idempotent; synchronous so it can run at process exit. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.#unregister();
    rmSync(this.path, { recursive: true, force: true, maxRetries: 3 });
  }
}
