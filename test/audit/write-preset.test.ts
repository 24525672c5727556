/**
 * `mailhop audit --write-preset`: a preset fitted to a measured profile, written as a preset file that loads as a
 * preset and audits identical to what it came from (mock hops, real sockets). The stand-in for a vendor's gateway
 * is a mock that no bundled preset matches: Exim's behaviour, but a 454 defers and a failed handshake never falls
 * back to plaintext.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters as plainText } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../harness/audit/run-audit.js';
import { fitPreset } from '../../harness/audit/fit-preset.js';
import { presetFileText, presetNameOf } from '../../harness/audit/write-preset.js';
import { profileDifferences } from '../../harness/audit/compare-profiles.js';
import { checkPresetText } from '../../harness/presets/preset-file.js';
import { auditCommand } from '../../harness/cli/audit-command.js';
import { tempDir } from '../support/temp-dir.js';

const VENDOR = { kind: 'preset', preset: 'exim', set: { 'outbound.starttlsRejected': 'defer', 'outbound.fallback': 'never' } } as const;
const CASES = ['offer', 'no-starttls', 'starttls-454', 'handshake-alert', 'inject-response', 'tls10-only'];

function capture() {
  let text = '';
  return { out: { write: (t: string) => (text += t) }, text: () => plainText(text) };
}

describe('fitting and writing a preset', () => {
  it('starting from a preset that differs, turns the deciding keys until the mock behaves as measured, and the file audits identical', async () => {
    const measured = (await runAudit(VENDOR, { cases: CASES })).rows;
    // postfix differs from the vendor on 454 (continues in clear) and on the handshake failure (falls back once 5m old).
    const fit = await fitPreset(measured, 'postfix');
    expect(fit.set).toMatchObject({ 'outbound.starttlsRejected': 'defer', 'outbound.fallback': 'never' });
    expect(fit.remaining).toEqual([]);
    const text = presetFileText(fit, measured, { name: 'vendor', target: 'preset exim (changed)', product: 'Vendor Gateway 1.0', date: '2026-12-07' });
    const checked = checkPresetText(text, 'vendor.preset.yaml');
    expect(checked.problems).toEqual([]);
    expect(checked.preset?.behaviour.find((b) => b.keys.includes('outbound.starttlsRejected'))).toMatchObject({
      cases: ['starttls-454'], source: 'observed with Vendor Gateway 1.0 by mailhop audit on 2026-12-07',
    });
    // Every case measured is cited with its observation.
    for (const id of CASES) expect(checked.preset?.behaviour.some((b) => b.cases.length === 1 && b.cases[0] === id && b.source.startsWith('observed with Vendor'))).toBe(true);

    const file = join(tempDir('fit'), 'vendor.preset.yaml');
    writeFileSync(file, text);
    const again = (await runAudit({ kind: 'preset', preset: file, set: {} }, { cases: CASES })).rows;
    expect(profileDifferences(measured, again)).toEqual([]);
    expect(again.find((r) => r.case === 'starttls-454')).toMatchObject({ outcomes: ['deferred'], verdicts: ['refused'] });
  }, 120_000);

  it('mailhop audit --write-preset writes the file and says it audits identical', async () => {
    const dir = tempDir('fit');
    const out = capture();
    const err = capture();
    const code = await auditCommand(
      { preset: 'exim', set: ['outbound.starttlsRejected=defer'], cases: 'offer,starttls-454,handshake-alert', compare: 'postfix,exim', writePreset: join(dir, 'acme.preset.yaml') },
      { stdout: out.out, stderr: err.out },
    );
    expect(code).toBe(0);
    expect(err.text()).toContain(`wrote ${join(dir, 'acme.preset.yaml')} (preset acme, from exim, changing outbound.starttlsRejected); it agrees with the measurement on all 3 cases run`);
    const preset = checkPresetText(readFileSync(join(dir, 'acme.preset.yaml'), 'utf8'), 'acme.preset.yaml').preset;
    expect(preset).toMatchObject({ name: 'acme', outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsRejected: 'defer' }, inbound: { received: 'exim' } });
  }, 120_000);

  it('refuses an unwritable --write-preset before running anything', async () => {
    await expect(auditCommand({ preset: 'exim', writePreset: '/nonexistent-dir/x.preset.yaml' }, { stdout: capture().out, stderr: capture().out })).rejects.toThrow(
      '--write-preset /nonexistent-dir/x.preset.yaml: cannot write the preset there: its folder /nonexistent-dir does not exist.',
    );
    const dir = tempDir('fit');
    await expect(auditCommand({ preset: 'exim', writePreset: dir }, { stdout: capture().out, stderr: capture().out })).rejects.toThrow(`--write-preset ${dir}: cannot write the preset there: it is a directory.`);
  });

  it('refuses a --write-preset path that is not a regular file (a device, a FIFO) before the audit', async () => {
    await expect(auditCommand({ preset: 'exim', cases: 'offer', writePreset: '/dev/full' }, { stdout: capture().out, stderr: capture().out })).rejects.toThrow(
      '--write-preset /dev/full: cannot write the preset there: it is not a regular file.',
    );
  });

  it('refuses two compared presets with one name, an empty --compare or --cases, and a preset that needs a key without it', async () => {
    const dir = tempDir('fit');
    const acme = readFileSync('test/presets/preset-files.test.ts', 'utf8');
    expect(acme).toContain('name: acme-gateway');
    const text = acme.slice(acme.indexOf('name: acme-gateway'), acme.indexOf('`;', acme.indexOf('name: acme-gateway')));
    writeFileSync(join(dir, 'a.preset.yaml'), text);
    writeFileSync(join(dir, 'b.preset.yaml'), text.replace('starttlsRejected: defer', 'starttlsRejected: continue'));
    const io = { stdout: capture().out, stderr: capture().out };
    await expect(auditCommand({ preset: 'exim', compare: `${join(dir, 'a.preset.yaml')},${join(dir, 'b.preset.yaml')}` }, io)).rejects.toThrow(/two of them are called acme-gateway/);
    await expect(auditCommand({ preset: 'exim', compare: ',' }, io)).rejects.toThrow(/^--compare ",": cannot compare with these presets: it names none/);
    await expect(auditCommand({ preset: 'exim', cases: '' }, io)).rejects.toThrow(/^--cases "": cannot select the audit cases: it names none/);
    await expect(auditCommand({ preset: 'messagelabs-boundary', cases: 'offer', compare: 'none' }, io)).rejects.toThrow(
      /^--preset messagelabs-boundary: cannot audit it \(case offer\): preset messagelabs-boundary needs the partner domains in the hop's outbound\.enforce\. Give the key with --set/,
    );
  }, 60_000);

  it('names the preset after the file, never as a bundled one', () => {
    expect(presetNameOf('/x/Acme Gateway.preset.yaml')).toBe('acme-gateway');
    expect(presetNameOf('postfix.yaml')).toBe('postfix-measured');
  });
});
