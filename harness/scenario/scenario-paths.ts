/**
 * Which files the paths given to the loaders stand for: a file as named, a folder searched recursively
 * for `*.yaml` / `*.yml` (symlink loops followed once; preset files named `*.preset.yaml` are not scenarios and are
 * skipped), and the problem with a path that is not there.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ScenarioProblem } from './check-text.js';

/** Files a path stands for; problems for a path that does not exist or a directory without scenarios. */
export async function expandPath(path: string, problems: ScenarioProblem[]): Promise<string[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => err);
  if (info instanceof Error) {
    problems.push({ file: path, line: 1, column: 1, path: '', message: fsMessage(info, path) });
    return [];
  }
  if (!info.isDirectory()) return [path];
  const found: string[] = [];
  const before = problems.length;
  await walk(path, found, new Set(), problems);
  if (!found.length && problems.length === before) {
    const message = 'no scenario files (*.yaml, *.yml) in this directory';
    problems.push({ file: path, line: 1, column: 1, path: '', message });
  }
  return found.sort();
}

async function walk(dir: string, found: string[], visited: Set<string>, problems: ScenarioProblem[]): Promise<void> {
  try {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isDirectory());
      if (isDir) await walk(path, found, visited, problems);
      else if (/\.ya?ml$/.test(entry.name) && !/\.preset\.ya?ml$/.test(entry.name)) found.push(path);
    }
  } catch (err) {
    problems.push({ file: dir, line: 1, column: 1, path: '', message: fsMessage(err as NodeJS.ErrnoException) });
  }
}

/**
 * For a relative path that is not there: where it was looked for, and the bundled copy when the path names one
 * (a project that installed mailhop has its scenarios under node_modules/mailhop/, not under ./scenarios/).
 */
function missingHint(file: string): string {
  if (isAbsolute(file)) return '';
  const bundled = join('node_modules', 'mailhop', file);
  return ` (looked for ${resolve(file)})${existsSync(bundled) ? `; mailhop's bundled copy is ${bundled}` : ''}`;
}

export function fsMessage(err: NodeJS.ErrnoException, file?: string): string {
  if (err.code === 'ENOENT') return `no such file or directory${file ? missingHint(file) : ''}`;
  if (err.code === 'EISDIR') return 'is a directory, not a scenario file';
  return `cannot read: ${err.message}`;
}

