/**
 * Chains for tests: a scenario built in code, run and stopped, with what the assertions need; and scenarios
 * run as `mailhop run` runs them, each with its trace (what the reports render).
 */
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';
import { startChain, type MailboxMessage, type Dsn } from '../../harness/chain/chain.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';
import type { SessionEvent, TraceEvent, WireEvent } from '../../harness/trace/events.js';
import type { WireRecord } from '../../harness/link/wire-record.js';
import type { LoadedScenario } from '../../harness/scenario/load-scenario.js';
import { runScenarios } from '../../harness/chain/run-scenarios.js';
import type { RunRecord } from '../../harness/report/run-record.js';

/** Everything a test may assert on after a chain ran. */
export interface InlineRun {
  report: ScenarioReport;
  events: TraceEvent[];
  mailbox: MailboxMessage[];
  dsns: Dsn[];
  /** Sender session events on a link, in order. */
  sessions(link: string): SessionEvent[];
  /** Wire records on a link, in connection order. */
  wire(link: string): WireRecord[];
}

/** Builds a scenario in code (defaults filled by the schema), runs it, stops the chain. */
export async function runInline(input: Partial<ScenarioInput>): Promise<InlineRun> {
  const scenario = Scenario.parse({ name: 'inline', messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }], ...input });
  await using chain = await startChain(scenario);
  const report = await chain.run();
  const events = chain.events();
  return {
    report,
    events,
    mailbox: chain.mailbox(),
    dsns: chain.dsns(),
    sessions: (link) => events.filter((e): e is SessionEvent => e.kind === 'session' && e.link === link),
    wire: (link) =>
      events
        .filter((e): e is WireEvent => e.kind === 'wire' && e.link === link)
        .map((e) => e.record)
        .sort((a, b) => a.seq - b.seq),
  };
}

/** The verbs of the plaintext commands a wire record saw, e.g. `['EHLO', 'STARTTLS']`. */
export function verbs(record: WireRecord): string[] {
  return record.commands.map((c) => c.verb);
}

/** Runs scenarios as `mailhop run` does and keeps each chain's trace and scenario beside its report (what the HTML report renders). */
export async function runRecords(loaded: readonly LoadedScenario[]): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const reports = await runScenarios(loaded, { onReport: (report, i, events) => (records[i] = { report, events, scenario: loaded[i].scenario }) });
  return reports.map((report, i) => records[i] ?? { report, events: [], scenario: loaded[i].scenario });
}
