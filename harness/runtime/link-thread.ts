/**
 * Link proxies on a worker thread. A link proxy reads and writes every byte of its link once more
 * and runs the wire witness over it: about 3–4 ms of CPU per message on a 3-hop chain, on the
 * same event loop as the hops and their relay clients. A fault-free proxy needs nothing from the
 * chain but its plan, so it can run on a second event loop (a second core) and send back what the
 * chain needs: that a connection opened, and its {@link WireRecord} when it closed.
 *
 * One worker serves every chain of the process. It is started on first use (from the compiled
 * `.js`, or through tsx's loader when mailhop runs from its TypeScript sources) and does not keep
 * the process alive while it hosts no proxy. Links with faults, and links whose open records the
 * chain reads (`records()`: a real engine's held connections), stay on the main thread.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MailhopError, type MailhopErrorCode } from '../errors.js';
import type { WireRecord } from '../link/wire-record.js';
import type { LinkProxyHooks, LinkProxyPlan, StartedUnit } from './runtime.js';

type Address = { host: string; port: number };

/** What the worker is asked: start a proxy (the plan's fault-free subset), or stop one. */
export type LinkThreadRequest =
  | { id: number; start: { name: string; host: string; port?: number; target: Address; keepRecords?: number } }
  | { id: number; stop: true };

/** What the worker answers. */
export type LinkThreadReply =
  | { id: number; started: Address }
  | { id: number; error: { code: string; message: string } }
  | { id: number; open: true }
  | { id: number; record: WireRecord }
  | { id: number; stopped: true };

interface Pending {
  hooks: Pick<LinkProxyHooks, 'onOpen' | 'onRecord'>;
  started?: { resolve(address: Address): void; reject(error: Error): void };
  stopped?: () => void;
}

let worker: Worker | null = null;
let nextId = 0;
let failure: Error | null = null;
const units = new Map<number, Pending>();

function entryWorker(): Worker {
  const here = fileURLToPath(import.meta.url);
  const entry = new URL(here.endsWith('.ts') ? './link-thread-entry.ts' : './link-thread-entry.js', import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(entry);
  // From the TypeScript sources (tests, tsx): the worker registers tsx's loader, then imports the entry.
  const loader = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true });
}

function theWorker(): Worker {
  if (worker) return worker;
  const w = entryWorker();
  w.on('message', (reply: LinkThreadReply) => {
    const unit = units.get(reply.id);
    if (!unit) return;
    if ('open' in reply) unit.hooks.onOpen();
    else if ('record' in reply) unit.hooks.onRecord(reply.record);
    else if ('started' in reply) unit.started?.resolve(reply.started);
    else if ('error' in reply) unit.started?.reject(new MailhopError(reply.error.code as MailhopErrorCode, reply.error.message));
    else if ('stopped' in reply) {
      units.delete(reply.id);
      unit.stopped?.();
      if (units.size === 0) w.unref();
    }
  });
  // A worker that dies takes its proxies with it: every waiting start and stop is answered, and the next start makes a new one.
  const died = (error: Error) => {
    failure = error;
    worker = null;
    for (const [id, unit] of units) {
      unit.started?.reject(new MailhopError('ECHAIN', `link proxy thread failed: ${error.message}`));
      unit.stopped?.();
      units.delete(id);
    }
  };
  w.on('error', died);
  w.on('exit', (code) => died(new Error(`exited with code ${code}`)));
  w.unref();
  worker = w;
  return w;
}

/**
 * Starts a fault-free link proxy on the link thread; the hooks run on the main thread. `records()`
 * of the returned unit is always empty (records reach the chain through `onRecord`).
 * @throws MailhopError `ECHAIN` when the address cannot be listened on, or the thread fails
 */
export async function startLinkProxyOnThread(plan: LinkProxyPlan, hooks: Pick<LinkProxyHooks, 'onOpen' | 'onRecord'>): Promise<StartedUnit> {
  const w = theWorker();
  const id = ++nextId;
  const unit: Pending = { hooks };
  units.set(id, unit);
  w.ref();
  const address = await new Promise<Address>((resolve, reject) => {
    unit.started = { resolve, reject };
    w.postMessage({ id, start: { name: plan.name, host: plan.host, port: plan.port, target: plan.target, ...(plan.keepRecords === undefined ? {} : { keepRecords: plan.keepRecords }) } } satisfies LinkThreadRequest);
  }).catch((error: Error) => {
    units.delete(id);
    if (units.size === 0) worker?.unref();
    throw error;
  });
  delete unit.started;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= units.has(id)
      ? new Promise<void>((resolve) => {
          unit.stopped = resolve;
          w.postMessage({ id, stop: true } satisfies LinkThreadRequest);
        })
      : Promise.resolve());
  return { address, records: () => [], stop, [Symbol.asyncDispose]: stop };
}

/** Why the last link thread ended, if it did (for diagnostics and tests). */
export function linkThreadFailure(): Error | null {
  return failure;
}
