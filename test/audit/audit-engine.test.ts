/**
 * `mailhop audit` of a real Postfix: its profile on decisive cases comes from Postfix's own behaviour (its log and
 * the wire), and the postfix preset is the closest model, while Exim's and Sendmail's presets differ where the
 * products do (a reconnect in the same attempt; no fallback at all); and a preset written from the measurement
 * (`--write-preset`) audits identical to real Postfix.
 */
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../harness/audit/run-audit.js';
import { presetProfiles } from '../../harness/audit/preset-profiles.js';
import { closestPresets, profileDifferences } from '../../harness/audit/compare-profiles.js';
import { fitPreset } from '../../harness/audit/fit-preset.js';
import { presetFileText } from '../../harness/audit/write-preset.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availability, titled } from '../support/engine.js';
import { tempDir } from '../support/temp-dir.js';

const cases = ['offer', 'starttls-454', 'handshake-alert', 'strip-starttls', 'require-after-strip'];

describe.skipIf(!availability('postfix').usable)(titled('mailhop audit --engine postfix', 'postfix'), () => {
  it('profiles real Postfix and names the postfix preset the closest', async () => {
    // Postfix retries every 1-3 s and falls back to plaintext once the message is 3 s old (the configuration mailhop
    // writes): a generous wait for each held message keeps a loaded machine from ending a case early.
    const measured = await runAudit({ kind: 'engine', engine: 'postfix', set: {} }, { cases, engineSettleMs: 45_000 });
    const byCase = Object.fromEntries(measured.rows.map((r) => [r.case, r]));
    expect(measured.target).toBe('engine postfix');
    expect(byCase.offer).toMatchObject({ outcomes: ['delivered'], verdicts: ['tls'] });
    expect(byCase['starttls-454']).toMatchObject({ outcomes: ['delivered'], verdicts: ['downgraded'] });
    // Postfix defers after the failed handshake and falls back on a later attempt: TLS tried on two connections at least.
    expect(byCase['handshake-alert'].verdicts).toEqual(['downgraded']);
    expect(byCase['handshake-alert'].wire.filter((w) => /handshake failed \(alert handshake_failure\)/.test(w)).length).toBeGreaterThanOrEqual(2);
    expect(byCase['strip-starttls'].verdicts).toEqual(['stripped']);
    // The reply Postfix logged for the bounce, with the next hop's own words in it.
    expect(byCase['require-after-strip']).toMatchObject({ outcomes: ['bounced'], reply: expect.stringMatching(/^530 5\.7\.0 .*Must issue a STARTTLS command first/) });

    const models = await presetProfiles(['exim', 'postfix', 'sendmail'], { cases });
    const closest = closestPresets(measured.rows, models.flatMap((m) => ('profile' in m ? [m] : [])));
    expect(closest.map((d) => d.preset)).toEqual(['postfix', 'exim', 'sendmail']);
    expect(closest[0].differences).toEqual([]);
    expect(closest[1].differences).toEqual([{ case: 'handshake-alert', how: ['sessions: 3+ ≠ 2'] }]);

    // --write-preset, started from the exim preset on purpose: the fit finds Postfix's fallback (a later attempt, not
    // a reconnect), and the written file loads as a preset and audits identical to real Postfix.
    const fit = await fitPreset(measured.rows, 'exim');
    expect(fit.set).toEqual({ 'outbound.fallback': 'next-attempt' });
    const file = join(tempDir('fit'), 'measured-postfix.preset.yaml');
    writeFileSync(file, presetFileText(fit, measured.rows, { name: 'measured-postfix', target: measured.target, product: 'Postfix 3.7', date: '2026-12-07' }));
    const again = await runAudit({ kind: 'preset', preset: file, set: {} }, { cases });
    expect(profileDifferences(measured.rows, again.rows)).toEqual([]);
  }, 240_000);
});
