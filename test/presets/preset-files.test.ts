/**
 * Presets as data: the bundled presets are YAML files checked by the schema (every key cited by a behaviour with
 * its source), and a user's own preset file, named by path in `preset:`, works like a bundled one, with its
 * problems located in the preset file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters as plainText } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUNDLED_PRESETS_DIR, PRESETS, PRESET_NAMES } from '../../harness/presets/index.js';
import { checkPresetText } from '../../harness/presets/preset-file.js';
import { loadScenarioFile, loadScenarios, ScenarioError } from '../../harness/scenario/load-scenario.js';
import { PRESET_JSON_SCHEMA_PATH, presetJsonSchema } from '../../harness/scenario/write-json-schema.js';
import { AUDIT_CASES } from '../../harness/audit/battery.js';
import { main } from '../../harness/cli/main.js';
import { runAudit } from '../../harness/audit/run-audit.js';
import { auditTarget } from '../../harness/cli/audit-command.js';
import { tempDir } from '../support/temp-dir.js';

afterEach(() => vi.restoreAllMocks());

/** A user's gateway preset: Exim-like fallback, but a 454 defers, and its own header format. */
const ACME = `name: acme-gateway
product: ACME Mail Gateway 9, opportunistic
inbound:
  received: exim
outbound:
  tls: opportunistic
  fallback: reconnect
  starttlsRejected: defer
behaviour:
  - does: STARTTLS when offered
    keys: [outbound.tls]
    cases: [offer]
    source: ACME admin guide, section 4.2
  - does: a failed handshake is retried in clear at once; a 454 defers
    keys: [outbound.fallback, outbound.starttlsRejected]
    cases: [handshake-alert, starttls-454]
    source: observed with ACME Mail Gateway 9.1 by mailhop audit
  - does: Exim's header (ACME embeds Exim)
    keys: [inbound.received]
    source: ACME release notes 9.0
`;

function scenarioWith(dir: string, preset: string): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, `name: user-preset\nhops:\n  - id: gateway\n    preset: ${preset}\n  - id: mailbox\nmessages: [{ from: a@org.test, to: [b@partner.test] }]\n`);
  return file;
}

async function problemsOf(file: string): Promise<string[]> {
  try {
    await loadScenarioFile(file);
    return [];
  } catch (err) {
    return (err as ScenarioError).problems.map((p) => `${p.line}:${p.column}: ${p.path}: ${p.message}`);
  }
}

describe('bundled preset files', () => {
  it('one YAML file per preset, named by its file, every case id from the audit battery, every observation dated by version', () => {
    const files = readdirSync(BUNDLED_PRESETS_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.map((f) => f.slice(0, -5)).sort()).toEqual([...PRESET_NAMES].sort());
    const ids = new Set(AUDIT_CASES.map((c) => c.id));
    for (const name of PRESET_NAMES) {
      const preset = PRESETS[name];
      expect(preset.behaviour.length).toBeGreaterThan(0);
      for (const b of preset.behaviour) {
        for (const id of b.cases) expect(ids.has(id)).toBe(true);
        // An observation names the product's version, so a reader can redo it.
        if (/observed with/i.test(b.source) && !/observed with \S+ (without|by|\d)/i.test(b.source)) throw new Error(`${name}: "${b.source}" names no version`);
      }
    }
  });

  it('presets/preset.schema.json is what presetJsonSchema() generates (run `npm run schema`)', () => {
    expect(readFileSync(PRESET_JSON_SCHEMA_PATH, 'utf8')).toBe(`${JSON.stringify(presetJsonSchema(), null, 2)}\n`);
  });
});

describe('checking a preset file', () => {
  it("the README's example preset checks as written", () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('# acme.preset.yaml\n');
    const text = readme.slice(start, readme.indexOf('```', start));
    expect(checkPresetText(text, 'README.md').problems).toEqual([]);
  });

  it('every key the preset sets must be cited by a behaviour, at the key', () => {
    const uncited = ACME.replace('    keys: [outbound.fallback, outbound.starttlsRejected]\n', '    keys: [outbound.fallback]\n');
    expect(checkPresetText(uncited, 'acme.yaml').problems.map((p) => `${p.line}:${p.column}: ${p.path}: ${p.message}`)).toEqual([
      '8:3: outbound.starttlsRejected: no behaviour cites a source for outbound.starttlsRejected: add it to the keys of the behaviour entry that documents it',
    ]);
  });

  it('a bad value, an unknown audit case and a cited key the preset does not set are each located', () => {
    const bad = ACME.replace('fallback: reconnect', 'fallback: sometimes').replace('cases: [offer]', 'cases: [ofer]');
    expect(checkPresetText(bad, 'acme.yaml').problems.map((p) => `${p.line}:${p.column}: ${p.path}`)).toEqual(['7:13: outbound.fallback', '12:13: behaviour[0].cases[0]']);
    const stray = ACME.replace('keys: [outbound.tls]', 'keys: [outbound.tls, outbound.retry]');
    expect(checkPresetText(stray, 'acme.yaml').problems.map((p) => p.message)).toEqual([expect.stringMatching(/^outbound\.retry is not set by this preset/)]);
  });

  it("a user's preset cannot take a bundled preset's name", () => {
    const problems = checkPresetText(ACME.replace('name: acme-gateway', 'name: postfix'), 'acme.yaml', { reserved: PRESET_NAMES }).problems;
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([expect.stringMatching(/^1:7: "postfix" is a bundled preset's name/)]);
  });
});

describe('preset: ./file.yaml on a hop', () => {
  it('reads the file relative to the scenario and merges its keys under the hop, as a bundled preset', async () => {
    const dir = tempDir('preset');
    writeFileSync(join(dir, 'acme.yaml'), ACME);
    const { scenario } = await loadScenarioFile(scenarioWith(dir, './acme.yaml'));
    expect(scenario.hops[0]).toMatchObject({ preset: join(dir, 'acme.yaml'), inbound: { received: 'exim' }, outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsRejected: 'defer' } });
  });

  it("a preset file's problem is reported at the hop's preset key, with the preset file's own position", async () => {
    const dir = tempDir('preset');
    writeFileSync(join(dir, 'acme.yaml'), ACME.replace('fallback: reconnect', 'fallback: sometimes'));
    const [problem] = await problemsOf(scenarioWith(dir, './acme.yaml'));
    expect(problem).toBe(`4:13: hops[0].preset: preset file ${join(dir, 'acme.yaml')}: ${join(dir, 'acme.yaml')}:7:13: outbound.fallback: must be one of reconnect, next-attempt, never; got "sometimes"`);
    expect(await problemsOf(scenarioWith(dir, './missing.yaml'))).toEqual([
      `4:13: hops[0].preset: preset file ${join(dir, 'missing.yaml')}: no such preset file (looked for ${join(dir, 'missing.yaml')}; a scenario's relative paths start at its folder)`,
    ]);
  });

  it('a folder run skips *.preset.yaml files, and names a preset file found under another name for what it is', async () => {
    const dir = tempDir('preset');
    writeFileSync(join(dir, 'acme.preset.yaml'), ACME);
    scenarioWith(dir, './acme.preset.yaml');
    expect((await loadScenarios([dir])).map((s) => s.scenario.name)).toEqual(['user-preset']);
    writeFileSync(join(dir, 'acme.yaml'), ACME);
    await expect(loadScenarios([dir])).rejects.toThrow(`${join(dir, 'acme.yaml')}:1:1: is a preset file (product, behaviour), not a scenario`);
  });

  it('the hop acts on the wire as the file says: a 454 to STARTTLS defers (starttlsRejected: defer)', async () => {
    const dir = tempDir('preset');
    writeFileSync(join(dir, 'acme.yaml'), ACME);
    const { rows } = await runAudit(auditTarget({ preset: join(dir, 'acme.yaml') }), { cases: ['starttls-454'] });
    expect(rows[0]).toMatchObject({ case: 'starttls-454', outcomes: ['deferred'], verdicts: ['refused'] });
    expect(rows[0].wire[0]).toMatch(/^#1 STARTTLS 454/);
  }, 60_000);

  it('mailhop presets <file> shows it; a file with problems lists each at its position (exit 2)', async () => {
    const dir = tempDir('preset');
    writeFileSync(join(dir, 'acme.yaml'), ACME);
    writeFileSync(join(dir, 'bad.yaml'), ACME.replace('tls: opportunistic', 'tls: sometimes').replace('received: exim', 'received: qmail'));
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['presets', join(dir, 'acme.yaml')])).toBe(0);
    const text = plainText(out.mock.calls.map((c) => String(c[0])).join(''));
    expect(text.split('\n')[1].split(/\s{2,}/)).toEqual(['acme-gateway', 'opportunistic', 'reconnect at once', 'defer', 'TLSv1.2-TLSv1.3', 'exim', '3 behaviours cited in acme.yaml']);
    // No footnote for a * nobody shows, no empty note.
    expect(text).not.toContain("mailhop's default");
    expect(text).not.toContain('notes:');
    expect(await main(['presets', join(dir, 'bad.yaml')])).toBe(2);
    const problems = plainText(err.mock.calls.map((c) => String(c[0])).join(''));
    expect(problems).toContain(`${join(dir, 'bad.yaml')}:4:13: inbound.received: must be one of`);
    expect(problems).toContain(`${join(dir, 'bad.yaml')}:6:8: outbound.tls: must be one of`);
  });
});
