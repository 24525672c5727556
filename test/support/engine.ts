/**
 * Helpers for tests that run real engines: which engines this machine can run (with the reason
 * when not, for `describe.skipIf(...)(`x (skipped: reason)`)`), a runner that builds a scenario in
 * code, runs it and keeps what the assertions need, and the options to start one engine on its own.
 */
import { Scenario } from '../../harness/scenario/schema.js';
import { startChain } from '../../harness/chain/chain.js';
import type { WireRecord } from '../../harness/link/wire-record.js';
import { pickEngineAddress } from '../../harness/engines/free-address.js';
import type { StartEngineOptions } from '../../harness/engines/start-engine.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { Hop, type EngineHop } from '../../harness/scenario/schema.js';
import { Trace } from '../../harness/trace/trace.js';
import { VirtualClock } from '../../harness/chain/virtual-clock.js';
import { diagnoseEngines, engineAvailability } from '../../harness/engines/doctor.js';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import type { EngineEvent, TraceEvent } from '../../harness/trace/events.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';

const diagnoses = diagnoseEngines();

/** Whether `engine` can run here, and why not. */
export function availability(engine: RealEngineName): { usable: boolean; reason: string } {
  return engineAvailability(engine, diagnoses);
}

/** A suite title that says why it is skipped, when it is. */
export function titled(name: string, engine: RealEngineName): string {
  const a = availability(engine);
  return a.usable ? name : `${name} (skipped: ${a.reason})`;
}

export interface EngineRun {
  report: ScenarioReport;
  events: TraceEvent[];
  /** Facts the engines' logs gave. */
  facts(fact?: EngineEvent['fact']): EngineEvent[];
  /**
   * The wire records of `link` in connection order, including connections an engine still held open when the
   * run ended (recorded as the chain stopped: Sendmail caches its connection, OpenSMTPD keeps one idle 10 s).
   */
  wire(link: string): WireRecord[];
  /** Real time the run took, ms. */
  ms: number;
}

/** Runs a scenario built in code (one message alice -> bob, defaults filled by the schema), and stops its chain, engines included. */
export async function runScenario(input: Partial<ScenarioInput>): Promise<EngineRun> {
  const t0 = Date.now();
  const scenario = Scenario.parse({ name: 'engine-test', messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }], ...input });
  const chain = await startChain(scenario);
  let report: ScenarioReport;
  let events: TraceEvent[];
  try {
    report = await chain.run();
    events = chain.events();
  } finally {
    await chain.stop();
  }
  const ms = Date.now() - t0;
  const all = chain.events();
  return {
    report,
    events,
    facts: (fact) => events.filter((e): e is EngineEvent => e.kind === 'engine' && (fact === undefined || e.fact === fact)),
    wire: (link) => all.flatMap((e) => (e.kind === 'wire' && e.link === link ? [e.record] : [])).sort((a, b) => a.seq - b.seq),
    ms,
  };
}

/** `link: verdict` pairs and the outcome, for one readable assertion (a failure prints them all). */
export function summary(report: ScenarioReport): { links: Record<string, string>; outcome: string } {
  return { links: Object.fromEntries(report.links.map((l) => [l.link, l.verdict])), outcome: report.outcome };
}

/**
 * What startEngine needs to start `engine` as hop `id` on its own (a fresh loopback address unless `listen` is given),
 * relaying to a port nothing answers on; `over` replaces any of it (e.g. `paths`).
 */
export async function engineOptions(id: string, engine: RealEngineName = 'postfix', listen?: { host: string; port: number }, over: Partial<StartEngineOptions> = {}): Promise<StartEngineOptions> {
  const pki = await RunPki.create();
  return {
    // `over.hop` replaces the default one before it is parsed (OpenSMTPD's default inbound `offer` would not parse).
    hop: over.hop ?? (Hop.parse({ id, engine }) as EngineHop),
    hostname: `${id}.mailhop.test`,
    listen: listen ?? (await pickEngineAddress()),
    next: { host: '127.0.0.1', port: 9 },
    keyCert: await pki.issue(`${id}.mailhop.test`, 'valid'),
    caCert: pki.ca.cert,
    inboundLink: `client->${id}`,
    outboundLink: `${id}->next`,
    trace: new Trace(new VirtualClock()),
    now: () => 0,
    guessMessage: () => undefined,
    ...over,
  };
}
