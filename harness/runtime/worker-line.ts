/**
 * What crosses between the chain and a worker thread of the worker runtime (worker-runtime.ts): the control lines
 * of a unit elsewhere (control-line.ts), as structured-clone messages on a message port of the unit's own, plus
 * how a unit starts, fails and stops.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ChainLine, UnitLine } from './control-line.js';
import type { HopPlan, LinkProxyPlan } from './runtime.js';
import type { ErrorData } from './worker-error.js';

/** Chain -> worker, on the worker's own port: start this unit and talk to the chain on `port`. */
export interface StartUnitMessage {
  start: (HopPlan & { askIds?: boolean }) | LinkProxyPlan;
  port: MessagePort;
}

/** Unit -> chain, on the unit's port: its lines, or that it failed to start (`failed`), or that it stopped. */
export type WorkerUnitLine = UnitLine | { failed: ErrorData } | { stopped: true };

/** Chain -> unit, on the unit's port: the chain's lines, or stop (answered with `stopped`). */
export type WorkerChainLine = ChainLine | { stop: true };
