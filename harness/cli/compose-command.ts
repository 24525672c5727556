import { writeFile } from 'node:fs/promises';
import { loadScenarioFile, ScenarioError } from '../scenario/load-scenario.js';
import { composeFile, type ComposeOptions } from '../runtime/compose-file.js';
import { escapeControls, terminalSafe } from '../report/terminal-safe.js';
import { exitCodeOf, MailhopError } from '../errors.js';

/** Options of `mailhop compose`. */
export interface ComposeCommandOptions {
  output?: string;
  network?: string;
  publish?: number;
}

/**
 * `mailhop compose <scenario> [-o file] [--network bridge|host] [--publish port]`: writes a docker
 * compose file (to stdout without -o) with one container per hop and per link proxy.
 * Resolves 0, or 2 for a bad scenario file or option.
 */
export async function composeCommand(path: string, opts: ComposeCommandOptions): Promise<number> {
  const network = opts.network ?? 'bridge';
  if (network !== 'bridge' && network !== 'host') {
    process.stderr.write(`mailhop compose: --network must be bridge or host, not ${escapeControls(network)}\n`);
    return 2;
  }
  try {
    const { scenario } = await loadScenarioFile(path);
    const text = await composeFile(scenario, { network, publish: opts.publish } satisfies ComposeOptions);
    if (opts.output) await writeFile(opts.output, text);
    else process.stdout.write(text);
    return 0;
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return exitCodeOf(err);
    }
    if (err instanceof MailhopError) {
      process.stderr.write(`mailhop compose: ${terminalSafe(err.message)}\n`);
      return exitCodeOf(err);
    }
    process.stderr.write(`mailhop compose: ${terminalSafe((err as Error).message)}\n`);
    return 2;
  }
}
