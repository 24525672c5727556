/**
 * One hop server or link proxy of a chain in a worker thread (worker-runtime.ts): the start message with the
 * unit's plan and a message port of its own, the wait for its `hello` (or the error it failed with, made again as
 * the in-process runtime throws it), the hooks its lines call (unit-line-handlers.ts), and its stop.
 */
import { MessageChannel } from 'node:worker_threads';
import { MailhopError } from '../errors.js';
import { PendingAnswers } from './control-line.js';
import { onHopLine, onLinkProxyLine } from './unit-line-handlers.js';
import { errorFromData } from './worker-error.js';
import type { UnitThread } from './unit-threads.js';
import type { Address, HopHooks, HopPlan, LinkProxyHooks, LinkProxyPlan, StartedUnit } from './runtime.js';
import type { WorkerChainLine, WorkerUnitLine } from './worker-line.js';
import type { PeerEnd } from '../mta/id-claim.js';

/** A unit in a worker thread, with a way to send it the chain's lines (announcements, the virtual now). */
export interface WorkerUnit extends StartedUnit {
  post(line: WorkerChainLine): void;
}

/**
 * Starts `plan` in `thread` and resolves once it listens.
 * @throws MailhopError as the in-process runtime does (`EBIND` for an address that cannot be bound, with its hop or
 *   link); `ESTART` when the thread ended before the unit reported.
 */
export async function startWorkerUnit(thread: UnitThread, plan: HopPlan | LinkProxyPlan, hooks: HopHooks | LinkProxyHooks): Promise<WorkerUnit> {
  const { port1: port, port2 } = new MessageChannel();
  const clients = new PendingAnswers<PeerEnd | undefined>();
  const post = (line: WorkerChainLine) => port.postMessage(line);
  let closed!: () => void;
  const gone = new Promise<void>((resolve) => (closed = resolve));
  const portClosed = new Promise<void>((resolve) => port.once('close', () => resolve()));
  void portClosed.then(() => closed());
  let unwatch!: () => void;
  const hello = new Promise<Address>((resolve, reject) => {
    port.on('message', (line: WorkerUnitLine) => {
      if ('hello' in line) resolve(line.address);
      else if ('failed' in line) reject(errorFromData(line.failed));
      else if ('stopped' in line) closed();
      else if (plan.kind === 'hop') onHopLine(hooks as HopHooks, line, post);
      else onLinkProxyLine(hooks as LinkProxyHooks, clients, line);
    });
    // Watched until the unit has stopped (unwatch): the thread may serve later chains.
    unwatch = thread.onExit((err) => {
      closed();
      reject(MailhopError.of('ESTART', {
        where: plan.kind === 'hop' ? `hop ${plan.hopId}` : `link ${plan.name}`, what: 'start it in a worker thread',
        why: err ? err.message : 'the thread ended first', ...(plan.kind === 'hop' ? { hop: plan.hopId } : { link: plan.name }), cause: err,
      }));
    });
  });
  // The hop asks the chain how to settle each message's id when the chain does that (`mailhop up`).
  const start = plan.kind === 'hop' && (hooks as HopHooks).assignId ? { ...plan, askIds: true } : plan;
  thread.worker.postMessage({ start, port: port2 }, [port2]);
  const address = await hello.catch((err: unknown) => {
    unwatch();
    port.close();
    throw err;
  });
  thread.running++;
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= (async () => {
    post({ stop: true });
    await gone; // its `stopped` line, or the thread's exit
    thread.running--;
    port.close();
    // Closing is asynchronous: the chain counts as stopped once the port has closed (its thread may serve another chain).
    await portClosed;
    unwatch();
    clients.closeAll(undefined);
  })());
  const clientOf = (upstream: PeerEnd) => clients.ask((n) => post({ clientOf: { n, upstream } }));
  return { address, records: () => [], post, ...(plan.kind === 'link' ? { clientOf } : {}), stop, [Symbol.asyncDispose]: stop };
}
