/**
 * Fidelity, by audit: `mailhop audit` of each real engine against `mailhop audit` of the preset that copies it,
 * every case of the battery. Where they differ, KNOWN says so with the reason (what the real engine's log showed);
 * the set of differing cases must equal the KNOWN entries exactly, so a preset fixed (or broken) fails this
 * test until KNOWN says the new truth. The goal is an empty KNOWN.
 */
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../harness/audit/run-audit.js';
import { presetProfiles } from '../../harness/audit/preset-profiles.js';
import { profileDifferences } from '../../harness/audit/compare-profiles.js';
import { receivingSettings, type AuditTarget } from '../../harness/audit/audit-target.js';
import type { PresetName } from '../../harness/scenario/hop.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { availability, titled } from '../support/engine.js';

interface Flavour {
  preset: PresetName;
  engine: RealEngineName;
  /** Hop keys that select the flavour on the real engine (the preset has them already). */
  set?: Record<string, unknown>;
  /** Case id -> why the preset differs from the product, as observed. */
  known: Record<string, string>;
}

const FLAVOURS: Flavour[] = [
  { preset: 'postfix', engine: 'postfix', known: {} },
  { preset: 'sendmail', engine: 'sendmail', known: {} },
  // confTLS_FALLBACK_TO_CLEAR, selected on the real engine by the same key the preset sets.
  { preset: 'sendmail-fallback', engine: 'sendmail', set: { 'outbound.fallback': 'reconnect' }, known: {} },
  { preset: 'exim', engine: 'exim', known: {} },
  { preset: 'opensmtpd', engine: 'opensmtpd', known: {} },
];

for (const flavour of FLAVOURS) {
  describe.skipIf(!availability(flavour.engine).usable)(titled(`audit fidelity: real ${flavour.engine} against preset ${flavour.preset}`, flavour.engine), () => {
    it('differs only where KNOWN says, for the reason it gives', async () => {
      const engine: AuditTarget = { kind: 'engine', engine: flavour.engine, set: flavour.set ?? {} };
      const measured = await runAudit(engine, { engineSettleMs: 20_000 });
      expect(measured.rows.filter((r) => r.error)).toEqual([]);
      const [model] = await presetProfiles([flavour.preset], { set: receivingSettings(engine) });
      expect('profile' in model).toBe(true);
      const differences = profileDifferences(measured.rows, 'profile' in model ? model.profile : []);
      // Every difference has a reason in KNOWN, and every KNOWN entry is still a difference (a fixed preset drops its entry).
      const found = Object.fromEntries(differences.map((d) => [d.case, d.how.join('; ')]));
      expect(Object.keys(found).filter((c) => !(c in flavour.known)).map((c) => `${c}: ${found[c]}`), 'differences KNOWN does not explain').toEqual([]);
      expect(Object.keys(flavour.known).filter((c) => !(c in found)), 'KNOWN entries that now agree: remove them').toEqual([]);
    }, 600_000);
  });
}
