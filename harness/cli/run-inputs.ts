/**
 * What `mailhop run` checks before any scenario runs: its options, the scenario files, which of them this run
 * takes (`--grep`, `--shard`), and that every report file it was asked for can be written. Each refusal is
 * said on stderr, once, and becomes the exit code.
 */
import { access } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { loadOrReport } from './load-or-report.js';
import { loadScenarios, type LoadedScenario } from '../scenario/load-scenario.js';
import { parseGrep, parseShard, selectScenarios, type Shard } from './select-scenarios.js';
import { escapeControls, terminalSafe } from '../report/terminal-safe.js';
import { exitCodeOf, MailhopError } from '../errors.js';
import type { RunOptions } from './run-options.js';

/** The scenarios a run takes, in file order, and the shard it is (for the run record). */
export interface RunInputs {
  loaded: LoadedScenario[];
  shard: Shard | undefined;
}

/**
 * Checks `opts`, loads the scenarios under `paths` and selects this run's share of them.
 * Resolves to the exit code when the run must not start: 2 for bad input (a `--concurrency` that is not a whole
 * number of at least 1, a bad scenario file, a `--grep` that matches nothing, a report folder that is not
 * writable), or the MailhopError's exit code of a `--grep` or `--shard` that does not parse. On a shard it
 * says `shard i/n: k of m scenarios` on stderr.
 */
export async function readRunInputs(paths: string[], opts: RunOptions): Promise<RunInputs | number> {
  if (opts.concurrency !== undefined && !(Number.isInteger(opts.concurrency) && opts.concurrency >= 1)) {
    process.stderr.write(`mailhop run: --concurrency must be a whole number of scenarios, 1 or more; got ${escapeControls(JSON.stringify(String(opts.concurrency)))}\n`);
    return 2;
  }
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 0)) {
    process.stderr.write(`mailhop run: --threads must be a whole number of threads, 0 or more; got ${escapeControls(JSON.stringify(String(opts.threads)))}\n`);
    return 2;
  }
  const filters = parseFilters(opts);
  if (typeof filters === 'number') return filters;
  const { grep, shard } = filters;
  const all = await loadOrReport(() => loadScenarios(paths, { allowExternal: opts.allowExternal }));
  if (!all) return 2;
  const loaded = selectScenarios(all, { grep, shard });
  if (grep && !selectScenarios(all, { grep }).length) {
    process.stderr.write(`mailhop run: --grep ${escapeControls(JSON.stringify(opts.grep))} matches none of the ${all.length} scenarios (names and file paths)\n`);
    return 2;
  }
  if (shard) process.stderr.write(`shard ${shard.index}/${shard.count}: ${loaded.length} of ${all.length} scenarios\n`);
  const unwritable = await checkReportFolders(opts);
  return unwritable ?? { loaded, shard };
}

/** `--grep` and `--shard` parsed, or the exit code of the first that does not parse (said on stderr). */
function parseFilters(opts: RunOptions): { grep: RegExp | undefined; shard: Shard | undefined } | number {
  try {
    const grep = opts.grep !== undefined ? parseGrep(opts.grep) : undefined;
    const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
    return { grep, shard };
  } catch (err) {
    if (!(err instanceof MailhopError)) throw err;
    process.stderr.write(`mailhop run: ${terminalSafe(err.message)}\n`);
    return exitCodeOf(err);
  }
}

/**
 * A report file that cannot be written is bad input: said before any scenario runs, not after all of them.
 * Resolves to 2 when the folder of `--junit`, `--html` or `--record` is not writable (said on stderr), else undefined.
 */
async function checkReportFolders(opts: RunOptions): Promise<number | undefined> {
  for (const file of [opts.junit, opts.html, opts.record]) {
    if (!file) continue;
    try {
      await access(path.dirname(path.resolve(file)), fsConstants.W_OK);
    } catch (err) {
      process.stderr.write(`${escapeControls(`mailhop run: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (its folder ${path.dirname(path.resolve(file))})`)}\n`);
      return 2;
    }
  }
  return undefined;
}
