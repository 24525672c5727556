import type { Scenario } from '../scenario/schema.js';
import { diagnoseEngines, engineAvailability, type EngineDiagnosis } from './doctor.js';
import { isRealEngine } from '../scenario/hop-kind.js';

/**
 * Why a scenario cannot run on this machine: the real engines it names that `mailhop doctor`
 * finds unusable, with their reasons; undefined when every engine it needs is usable.
 * Such a scenario is reported as skipped with this reason, never as passed or failed.
 * @param diagnoses the machine's diagnosis, computed once per run by the caller.
 */
export function unavailableEngines(scenario: Scenario, diagnoses: () => EngineDiagnosis[] = diagnoseEngines): string | undefined {
  const engines = [...new Set(scenario.hops.map((h) => h.engine).filter(isRealEngine))];
  if (engines.length === 0) return undefined;
  const found = diagnoses();
  const missing = engines
    .map((engine) => ({ engine, ...engineAvailability(engine, found) }))
    .filter((e) => !e.usable)
    .map((e) => `${e.engine}: ${e.reason}`);
  return missing.length ? `needs ${missing.join('; ')}` : undefined;
}
