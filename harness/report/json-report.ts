import type { ScenarioReport } from '../verdict/judge-scenario.js';

/**
 * The machine-readable report of `mailhop run --json`:
 * `{ scenarios: [ { name, file, passed, outcome, endToEnd, links, attempts, expectations, messages, failures, dsns } ] }`.
 * Pure: the run reports serialised as they are (one source of truth).
 */
export function renderJson(reports: readonly ScenarioReport[]): string {
  return `${JSON.stringify({ scenarios: reports }, null, 2)}\n`;
}
