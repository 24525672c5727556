/**
 * The per-run folder of one engine: its configuration, certificates, queue and namespace files,
 * created mode 0700 under the system's temporary directory and removed when the engine stops.
 * An engine whose unprivileged user reaches files by absolute path (Exim, Postfix's data
 * directory) gets the folder chowned to that user, still 0700.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A user and group id, e.g. from {@link userIds}. */
export interface Owner {
  uid: number;
  gid: number;
}

export class RunFolder {
  private removed = false;

  private constructor(readonly path: string) {}

  /** Creates `/tmp/mailhop-<label>-XXXXXX`, mode 0700, owned by `owner` (default: this process). */
  static create(label: string, owner?: Owner): RunFolder {
    const dir = mkdtempSync(path.join(tmpdir(), `mailhop-${label}-`));
    chmodSync(dir, 0o700);
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
    rmSync(this.path, { recursive: true, force: true, maxRetries: 3 });
  }
}
