import type { Scenario } from '../scenario/schema.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';

/**
 * One scenario run as the renderers that quote transcripts need it: the report (the verdicts) and
 * the trace they were judged from. A chain that failed to start has a failed report and no events.
 */
export interface RunRecord {
  report: ScenarioReport;
  events: readonly TraceEvent[];
  /**
   * The scenario as parsed, when the caller kept it: the HTML report then shows its `description`, the
   * explanation of the run (explanation.ts), what runs each hop and the faults declared on each link.
   */
  scenario?: Scenario;
  /** Real time the scenario took, ms, from starting its chain to its report (absent when not measured). */
  durationMs?: number;
}
