/**
 * What runs in each worker thread of the worker runtime (worker-runtime.ts): hop servers and link proxies from
 * their JSON plans, as a container runs one (start-unit.ts), any number per thread. Each unit talks to the chain
 * on a message port of its own: its trace events, accepted messages (each acknowledged before the hop answers
 * 250), wire records and stalls go out; announcements, the virtual now, id decisions and `stop` come in.
 */
import { parentPort } from 'node:worker_threads';
import type { ChainLine } from './control-line.js';
import { startUnit } from './start-unit.js';
import type { StartedUnit } from './runtime.js';
import { errorToData } from './worker-error.js';
import type { StartUnitMessage, WorkerChainLine, WorkerUnitLine } from './worker-line.js';

/** Starts one unit and serves its port until the chain says stop (then the port closes). */
async function serveUnit({ start: plan, port }: StartUnitMessage): Promise<void> {
  const listeners: Array<(line: ChainLine) => void> = [];
  const post = (line: WorkerUnitLine) => port.postMessage(line);
  let started: Promise<StartedUnit | undefined> | undefined;
  const stop = async () => {
    await (await started)?.stop();
    post({ stopped: true });
    port.close();
  };
  port.on('message', (line: WorkerChainLine) => {
    if ('stop' in line) return void stop();
    for (const listener of listeners) listener(line);
  });
  started = startUnit(plan, post, { on: (fn) => listeners.push(fn) }, true, { ackMessages: true }).then(
    (unit) => {
      post({ hello: plan.kind === 'hop' ? plan.hopId : plan.name, address: unit.address });
      return unit;
    },
    (err: unknown) => {
      post({ failed: errorToData(err) });
      return undefined;
    },
  );
  await started;
}

parentPort!.on('message', (message: StartUnitMessage) => void serveUnit(message));
