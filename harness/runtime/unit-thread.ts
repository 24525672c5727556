/**
 * Worker threads that run one of mailhop's entry modules: a worker runtime's unit thread (worker-entry.ts) or a
 * scenario thread (chain/scenario-thread-entry.ts). Built mailhop (dist/) starts the compiled entry; run from its
 * TypeScript sources (vitest, `tsx`), the thread first registers tsx's loader (tsx 4, `tsx/esm/api`) and then
 * imports the entry, since Node 20 applies no `--import` hook of the parent to a worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const here = import.meta.url;

/** Starts a thread that serves units (worker-entry.ts). */
export function startUnitThread(): Worker {
  return startEntryThread(here, './worker-entry');
}

/**
 * Starts a thread running `entry` (a path without extension, relative to `from`, the caller's `import.meta.url`):
 * `entry.js` when `from` is compiled JavaScript, `entry.ts` through tsx's loader when it is a TypeScript source.
 */
export function startEntryThread(from: string, entry: string): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`${entry}.js`, from));
  const source = new URL(`${entry}.ts`, from).href;
  const boot = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true });
}

/** The file URL of tsx's ESM API (`tsx/esm/api` under the `import` condition: its CommonJS twin registers nothing usable here). */
function tsxEsmApi(): string {
  const manifest = createRequire(here).resolve('tsx/package.json');
  const exports = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(path.join(path.dirname(manifest), exports['./esm/api'].import.default)).href;
}
