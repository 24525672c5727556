/**
 * The profiles of mailhop's presets, for comparing a measured target with them: each preset is audited as a
 * mock hop with the same battery cases. A preset that cannot take the battery's scenarios as they are (one that
 * needs a key of its own, such as `messagelabs-boundary`'s `outbound.enforce`) is left out, with the reason.
 */
import { PRESET_NAMES, presetLabel } from '../presets/index.js';
import type { PresetName } from '../scenario/hop.js';
import { runAudit, type RunAuditOptions } from './run-audit.js';
import type { Profile } from './compare-profiles.js';

/** One preset's profile, or why it could not be audited; `preset` is its name (a preset file's own `name`, not its path). */
export type PresetProfile = { preset: PresetName; profile: Profile } | { preset: PresetName; skipped: string };

/**
 * Audits each of `presets` (default: every preset) with the cases `options.cases`, one after the other (each
 * audit runs its cases `options.concurrency` at once), with the hop keys `options.set` (how the measured target
 * received: receivingSettings).
 */
export async function presetProfiles(
  presets: readonly PresetName[] = PRESET_NAMES,
  options: Pick<RunAuditOptions, 'cases' | 'concurrency' | 'signal'> & { set?: Readonly<Record<string, unknown>> } = {},
): Promise<PresetProfile[]> {
  const out: PresetProfile[] = [];
  for (const preset of presets) {
    if (options.signal?.aborted) break;
    try {
      const { rows } = await runAudit({ kind: 'preset', preset, set: options.set ?? {} }, options);
      out.push({ preset: presetLabel(preset), profile: rows });
    } catch (err) {
      out.push({ preset: presetLabel(preset), skipped: (err as Error).message.split('\n')[0] });
    }
  }
  return out;
}
