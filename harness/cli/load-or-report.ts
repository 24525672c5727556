import { ScenarioError } from '../scenario/load-scenario.js';

/**
 * Loads scenarios for a command. A scenario problem is printed to stderr (every problem, one per line,
 * as `file:line:column: path: message`) and gives `null`, which the command turns into exit code 2;
 * any other error is thrown.
 */
export async function loadOrReport<T>(load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return null;
  }
}
