/**
 * What loading a scenario's text gives back, for tests of located errors: each problem as its line of the
 * ScenarioError message (`file:line:column: path: message`).
 */
import { loadScenarioText, ScenarioError } from '../../harness/scenario/load-scenario.js';

/** The text of a YAML file from its lines, with the final newline. */
export const yamlLines = (...lines: string[]): string => `${lines.join('\n')}\n`;

/**
 * The problems loading `text` as file `file` reports, one per line; [] when it loads.
 * @throws what loading throws other than a ScenarioError (a bug, not a refused scenario)
 */
export function scenarioProblems(text: string, file = 'x.yaml'): string[] {
  try {
    loadScenarioText(text, file);
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n');
  }
}

/**
 * As {@link scenarioProblems}, for a scenario that must be refused.
 * @throws Error when it loads
 */
export function refusedProblems(text: string, file: string): string[] {
  const problems = scenarioProblems(text, file);
  if (problems.length === 0) throw new Error('expected the scenario to be refused');
  return problems;
}
