import type { LoadedScenario } from '../../harness/scenario/load-scenario.js';
import { runScenarios } from '../../harness/chain/run-scenarios.js';
import type { RunRecord } from '../../harness/report/run-record.js';

/** Runs scenarios as `mailhop run` does and keeps each chain's trace and scenario beside its report (what the HTML report renders). */
export async function runRecords(loaded: readonly LoadedScenario[]): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const reports = await runScenarios(loaded, { onReport: (report, i, events) => (records[i] = { report, events, scenario: loaded[i].scenario }) });
  return reports.map((report, i) => records[i] ?? { report, events: [], scenario: loaded[i].scenario });
}
