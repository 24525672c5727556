import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { runCommand } from '../../harness/cli/run-command.js';
import { mergeCommand } from '../../harness/cli/merge-command.js';
import { parseShard, selectScenarios } from '../../harness/cli/select-scenarios.js';
import type { LoadedScenario } from '../../harness/scenario/load-scenario.js';
import type { Scenario } from '../../harness/scenario/schema.js';

const ANSI = /\x1b\[[0-9;]*m/g;

function fakeStdout() {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join('').replace(ANSI, ''), write: (s: string) => chunks.push(s), isTTY: false, columns: 100 };
}

/** What the command wrote to stderr while `run` ran. */
async function withStderr<T>(run: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const result = await run();
    return { result, stderr: spy.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    spy.mockRestore();
  }
}

const loaded = (file: string, name = file.replace(/^.*\/|\.yaml$/g, '')): LoadedScenario => ({ file, scenario: { name } as Scenario });

let dir: string;
// A scenario whose claim about the last link is wrong: the gateway sends plain there, not tls.
let wrongClaim: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailhop-select-'));
  wrongClaim = join(dir, 'wrong-claim.yaml');
  const source = await readFile('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml', 'utf8');
  await writeFile(wrongClaim, source.replace('name: messagelabs-plaintext-inbound-not-upgraded', 'name: wrong-claim').replace('"gateway->mailbox": plain', '"gateway->mailbox": tls'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('selectScenarios', () => {
  const all = ['s/e.yaml', 's/a.yaml', 's/g.yaml', 's/c.yaml', 's/b.yaml', 's/f.yaml', 's/d.yaml'].map((f) => loaded(f));

  test('--grep keeps scenarios whose name or path matches', () => {
    expect(selectScenarios(all, { grep: /^[ab]$/ }).map((l) => l.file)).toEqual(['s/a.yaml', 's/b.yaml']);
    expect(selectScenarios(all, { grep: /s\/g\.yaml/ }).map((l) => l.scenario.name)).toEqual(['g']);
  });

  test('--shard cuts contiguous slices of the sorted list: disjoint, complete, whatever the input order', () => {
    const shards = [1, 2, 3].map((index) => selectScenarios(all, { shard: { index, count: 3 } }).map((l) => l.scenario.name));
    expect(shards).toEqual([['a', 'c', 'b'], ['e', 'f', 'd'], ['g']].map((s) => s.sort((x, y) => all.findIndex((l) => l.scenario.name === x) - all.findIndex((l) => l.scenario.name === y))));
    expect(shards.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const reversed = [...all].reverse();
    expect([1, 2, 3].map((index) => selectScenarios(reversed, { shard: { index, count: 3 } }).map((l) => l.scenario.name).sort())).toEqual(shards.map((s) => [...s].sort()));
    // More shards than scenarios: the last ones are empty, none is cut twice.
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((index) => selectScenarios(all, { shard: { index, count: 8 } }).length)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
  });

  test('--shard values are checked', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/3', '4/3', '1/0', '1-3', 'x/y', '']) {
      expect(() => parseShard(bad)).toThrow(`--shard ${JSON.stringify(bad)}: cannot cut the run into shards: expected i/n with 1 <= i <= n (e.g. 2/4).`);
    }
  });
});

describe('mailhop run: selection, skips and evidence', () => {
  test('a --grep that matches nothing is bad input (exit 2), not a green run', async () => {
    const stdout = fakeStdout();
    const { result, stderr } = await withStderr(() => runCommand(['scenarios/all-hops-offer-encrypted.yaml'], { grep: 'no-such' }, { stdout }));
    expect(result).toBe(2);
    expect(stderr).toBe('mailhop run: --grep "no-such" matches none of the 1 scenarios (names and file paths)\n');
    expect(stdout.text()).toBe('');
  });

  test('a run where every scenario was skipped exits 1; --fail-on-skip fails on any skip', async () => {
    vi.stubEnv('MAILHOP_MTA_ROOT', join(dir, 'no-mtas-here'));
    const real = 'scenarios/real/sendmail-messagelabs-postfix-encrypted.yaml';
    const allSkipped = await withStderr(() => runCommand([real], {}, { stdout: fakeStdout() }));
    expect(allSkipped.result).toBe(1);
    expect(allSkipped.stderr).toMatch(/^mailhop run: nothing ran: all 1 scenario was skipped: needs sendmail: /);

    const mixed = [real, 'scenarios/all-hops-offer-encrypted.yaml'];
    expect((await withStderr(() => runCommand(mixed, {}, { stdout: fakeStdout() }))).result).toBe(0);
    const strict = await withStderr(() => runCommand(mixed, { failOnSkip: true }, { stdout: fakeStdout() }));
    expect(strict.result).toBe(1);
    expect(strict.stderr).toMatch(/^mailhop run: 1 scenario was skipped \(--fail-on-skip\): needs sendmail: /);
  });

  test('--verbose prints the failing link\'s SMTP transcript under the failed scenario', async () => {
    const stdout = fakeStdout();
    const plain = fakeStdout();
    expect((await withStderr(() => runCommand([wrongClaim], { verbose: true }, { stdout }))).result).toBe(1);
    expect((await withStderr(() => runCommand([wrongClaim], {}, { stdout: plain }))).result).toBe(1);
    const text = stdout.text();
    expect(text).toContain("    on the wire:\n    m1 on gateway->mailbox: plain (delivered in plaintext; STARTTLS was not tried (not offered, or the sender's policy chose plaintext))\n");
    expect(text).toContain('      attempt 1: policy none · STARTTLS advertised, not used (preserve-inbound strict, the message arrived at gateway in plaintext) · content sent in clear');
    expect(text).toContain('        C: EHLO gateway.mailhop.test\n');
    expect(plain.text()).not.toContain('on the wire:');
  });
});

describe('shards recorded and merged', () => {
  test('two shards merge into one JUnit report with times and the failing transcript; a shard given twice is refused', async () => {
    const paths = ['scenarios/all-hops-offer-encrypted.yaml', wrongClaim];
    const records = [1, 2].map((i) => join(dir, `shard-${i}.json`));
    const codes: number[] = [];
    for (const [i, record] of records.entries()) {
      const { result, stderr } = await withStderr(() => runCommand(paths, { shard: `${i + 1}/2`, record }, { stdout: fakeStdout() }));
      codes.push(result);
      expect(stderr).toContain(`shard ${i + 1}/2: 1 of 2 scenarios\n`);
    }
    expect(codes.sort()).toEqual([0, 1]);

    const junit = join(dir, 'merged.xml');
    const merged = await withStderr(() => mergeCommand([records[1], records[0]], { junit }, { stdout: fakeStdout() }));
    expect(merged.result).toBe(1);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="mailhop" tests="2" failures="1" errors="0" skipped="0" time="\d+\.\d{3}">/);
    expect(xml.match(/<testcase name="[^"]+" classname="[^"]+" file="[^"]+" time="\d+\.\d{3}">/g)).toHaveLength(2);
    // Ordered by file path (the temporary folder's absolute path sorts before scenarios/), whatever order the records came in.
    expect(xml.indexOf('name="wrong-claim"')).toBeLessThan(xml.indexOf('name="all-hops-offer-encrypted"'));
    const failure = /<failure [^>]*>([\s\S]*?)<\/failure>/.exec(xml)?.[1] ?? '';
    expect(failure).toContain('✘ expected gateway-&gt;mailbox tls, got plain');
    expect(failure).toContain('On the wire:\n    m1 on gateway-&gt;mailbox: plain');
    expect(failure).toContain('        S: 250-STARTTLS\n');

    const twice = await withStderr(() => mergeCommand([records[0], records[0]], {}, { stdout: fakeStdout() }));
    expect(twice.result).toBe(2);
    expect(twice.stderr).toMatch(/^mailhop merge: scenario \S+ \(\S+\): cannot merge it twice: it is in both \S+shard-1\.json and \S+shard-1\.json\. Give each shard's record once\.\n$/);
    // A record is a CI artifact anyone may have written: a verdict that is not one is refused, never rendered into HTML.
    const recorded = JSON.parse(await readFile(records[0], 'utf8'));
    recorded.scenarios[0].report.links[0].verdict = 'x"><script>alert(1)</script>';
    const hostile = join(dir, 'hostile.json');
    await writeFile(hostile, JSON.stringify(recorded));
    const refused = await withStderr(() => mergeCommand([hostile], { html: join(dir, 'hostile.html') }, { stdout: fakeStdout() }));
    expect(refused.result).toBe(2);
    expect(refused.stderr).toBe(
      `mailhop merge: ${hostile}: cannot read it as a run record: scenarios.0.report.links.0.verdict: Invalid option: expected one of "plain"|"downgraded"|"stripped"|"tls"|"tls-verified"|"refused"|"none". A run record is what \`mailhop run --record\` writes (version 1).\n`,
    );
    // Records that hold nothing are not a green build.
    const empty = join(dir, 'empty.json');
    await writeFile(empty, JSON.stringify({ mailhop: 'run-record', version: 1, shard: { index: 3, count: 3 }, scenarios: [] }));
    const nothing = await withStderr(() => mergeCommand([empty], {}, { stdout: fakeStdout() }));
    expect(nothing.result).toBe(1);
    expect(nothing.stderr).toBe('mailhop merge: nothing ran: the records hold no scenario\n');
    const notARecord = join(dir, 'not-a-record.json');
    await writeFile(notARecord, JSON.stringify({ scenarios: [] }));
    const bad = await withStderr(() => mergeCommand([notARecord], {}, { stdout: fakeStdout() }));
    expect(bad.result).toBe(2);
    expect(bad.stderr).toBe(
      `mailhop merge: ${notARecord}: cannot read it as a run record: mailhop: Invalid input: expected "run-record". A run record is what \`mailhop run --record\` writes (version 1).\n`,
    );
  });
});
