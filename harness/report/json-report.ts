import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { escapeJsonControls } from './terminal-safe.js';

/**
 * The machine-readable report of `mailhop run --json`:
 * `{ scenarios: [ { name, file, passed, outcome, endToEnd, links, attempts, expectations, messages, failures, dsns } ] }`.
 * Pure: the run reports serialised as they are (one source of truth); DEL and C1 characters (a peer's reply
 * text) as `\u` escapes, so that printed on a terminal it carries no control character (terminal-safe.ts).
 */
export function renderJson(reports: readonly ScenarioReport[]): string {
  return `${escapeJsonControls(JSON.stringify({ scenarios: reports }, null, 2))}\n`;
}
