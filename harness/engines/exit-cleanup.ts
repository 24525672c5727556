/**
 * Last-resort cleanup of real engines when the process ends without stopping its chains: on
 * `exit`, and on SIGINT/SIGTERM/SIGHUP (Node's default for those skips `exit` handlers, and the
 * engines run in their own session, so a terminal's Ctrl-C does not reach them). Process-wide by
 * nature, hence the one module-level registry of mailhop.
 */
const tasks = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** The signals a command gave back to the kernel's default action (releaseInterruptSignals). */
const released = new Set<NodeJS.Signals>();
let installed = false;

function runAll(): void {
  // Last registered first, as with nested cleanups: an engine is killed before its run folder goes.
  for (const task of [...tasks].reverse()) {
    tasks.delete(task);
    try {
      task();
    } catch {
      // best effort: the process is ending
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Counted before the tasks run: a task may unregister itself, and the last one uninstalls this handler.
  const alone = process.listenerCount(signal) === 1;
  runAll();
  // Keep the signal's usual meaning: when nobody else listens, die of it as Node would have.
  if (alone) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const s of SIGNALS) if (!released.has(s)) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Registers a synchronous cleanup to run if the process ends first; returns the function that
 * unregisters it (call it once the thing was stopped normally).
 */
export function onProcessEnd(task: () => void): () => void {
  tasks.add(task);
  install();
  return () => {
    tasks.delete(task);
    if (tasks.size === 0) uninstall();
  };
}

/**
 * Gives SIGINT and SIGTERM back to the kernel for the rest of the process: from now on the next one
 * ends it at once (the default action), even while the event loop is busy, and this module no longer
 * catches them (it still cleans up at `exit` and on SIGHUP). For a command whose first signal started
 * a graceful stop and whose second must leave at once; what a signal then cuts short is left to the
 * engines' reapers (engine-reaper.ts: the engine and its run folder) and to the next chain start's
 * sweep of run folders (run-folder.ts).
 */
export function releaseInterruptSignals(): void {
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    released.add(s);
    process.off(s, onSignal);
  }
}
