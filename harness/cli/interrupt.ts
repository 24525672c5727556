/**
 * SIGINT and SIGTERM for a command that stops gracefully (`run`, `up`): the first signal starts the
 * stop; the second leaves at once, as a person pressing Ctrl-C twice or a supervisor signalling again
 * expects. "At once" cannot wait for JavaScript: while a report is judged the event loop runs no
 * handler, so after the first signal neither signal is handled in JavaScript any more and the kernel's
 * default action ends the process (a shell reports 130 or 143). Real engines are then ended by their
 * reapers (engines/engine-reaper.ts).
 */
import { constants } from 'node:os';
import { releaseInterruptSignals } from '../engines/exit-cleanup.js';

/** The signals that interrupt a command. */
export type Interrupt = 'SIGINT' | 'SIGTERM';

/**
 * Calls `onFirst` on the first SIGINT or SIGTERM, then hands both signals back to the kernel, so that a
 * second one ends the process whatever it is doing. With `signals` other than `process` (a test's fake)
 * only the fake's listeners are removed.
 *
 * @returns a Disposable that stops listening (the command finished without a signal).
 */
export function listenForInterrupt(signals: Pick<NodeJS.Process, 'on' | 'off'>, onFirst: (signal: Interrupt) => void): Disposable {
  let fired = false;
  const onInt = () => first('SIGINT');
  const onTerm = () => first('SIGTERM');
  const off = () => {
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
  };
  function first(signal: Interrupt): void {
    // A second signal in the instant before the kernel has them back: leave now all the same.
    if (fired && signals === process) process.exit(128 + constants.signals[signal]);
    if (fired) return;
    fired = true;
    onFirst(signal);
    // After this signal's other listeners: the engines' exit hook (exit-cleanup.ts) re-raises a signal it
    // finds nobody else listening to, which would end the process at the first signal.
    process.nextTick(() => {
      off();
      if (signals === process) releaseInterruptSignals();
    });
  }
  signals.on('SIGINT', onInt);
  signals.on('SIGTERM', onTerm);
  return { [Symbol.dispose]: off };
}
