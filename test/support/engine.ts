/**
 * Helpers for tests that run real engines: which engines this machine can run (with the reason
 * when not, for `describe.skipIf(...)(`x (skipped: reason)`)`), a runner that builds a scenario in
 * code, runs it and keeps what the assertions need, and the options to start one engine on its own.
 */
import { runInline } from './chain.js';
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
  /** Real time the run took, ms. */
  ms: number;
}

/** Runs a scenario built in code (one message alice -> bob) with runInline, and stops its chain, engines included. */
export async function runScenario(input: Partial<ScenarioInput>): Promise<EngineRun> {
  const t0 = Date.now();
  const { report, events } = await runInline({ name: 'engine-test', ...input });
  return {
    report,
    events,
    facts: (fact) => events.filter((e): e is EngineEvent => e.kind === 'engine' && (fact === undefined || e.fact === fact)),
    ms: Date.now() - t0,
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
