/**
 * One worker thread of the worker runtime, running worker-entry.ts. Built mailhop (dist/) starts the compiled
 * entry; run from its TypeScript sources (vitest, `tsx`), the thread first registers tsx's loader (tsx 4,
 * `tsx/esm/api`) and then imports the entry, since Node 20 applies no `--import` hook of the parent to a worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const here = import.meta.url;

/** Starts a thread that serves units (worker-entry.ts). */
export function startUnitThread(): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker-entry.js', here));
  const entry = new URL('./worker-entry.ts', here).href;
  const tsx = tsxEsmApi();
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

/** The file URL of tsx's ESM API (`tsx/esm/api` under the `import` condition: its CommonJS twin registers nothing usable here). */
function tsxEsmApi(): string {
  const manifest = createRequire(here).resolve('tsx/package.json');
  const exports = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(path.join(path.dirname(manifest), exports['./esm/api'].import.default)).href;
}
