import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { runCommand } from '../../harness/cli/run-command.js';
import { main } from '../../harness/cli/main.js';

const SCENARIOS = ['scenarios/messagelabs-preserves-inbound-tls.yaml', 'scenarios/mandatory-to-hop-without-starttls-held.yaml'];

/** A stdout that records what is written; a TTY when asked. */
function fakeStdout(tty: boolean) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(''), write: (s: string) => chunks.push(s), isTTY: tty, columns: 100 };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailhop-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('mailhop run --junit --html', () => {
  test('writes both reports beside the usual output, from the same runs', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = fakeStdout(false);
    const junit = join(dir, 'out.xml');
    const html = join(dir, 'out.html');
    expect(await runCommand(SCENARIOS, { junit, html, concurrency: 2 }, { stdout })).toBe(0);
    expect(stderr.mock.calls.map((c) => c[0])).toEqual([`wrote ${junit}\n`, `wrote ${html}\n`]);
    const xml = await readFile(junit, 'utf8');
    // Times are real seconds with millisecond precision, per testcase and for the suite.
    expect(xml).toMatch(/<testsuites name="mailhop" tests="2" failures="0" errors="0" skipped="0" time="\d+\.\d{3}">/);
    expect(xml).toMatch(/<testcase name="messagelabs-preserves-inbound-tls" classname="mailhop.scenarios" file="scenarios\/messagelabs-preserves-inbound-tls.yaml" time="\d+\.\d{3}">/);
    const page = await readFile(html, 'utf8');
    expect(page.match(/<section class="scenario"/g)).toHaveLength(2);
    expect(page).toContain('data-link="relay-&gt;mailbox" data-verdict="refused" data-lock="refused"');
    // Not a TTY: plain lines, no progress line and no cursor control.
    expect(stdout.text()).not.toMatch(/\r|\x1b\[2K|scenario \d of/);
    // picocolors colours when CI is set (as in CI runs), so compare without colour codes.
    expect(stdout.text().replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/2 scenarios: 2 passed, 0 failed\n$/);
  });

  test('through the command line, and exit code 2 before any scenario runs when a report cannot be written', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const junit = join(dir, 'no-such-dir', 'out.xml');
    expect(await main(['run', '--junit', junit, SCENARIOS[0]])).toBe(2);
    expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/^mailhop run: cannot write .*no-such-dir\/out\.xml: ENOENT \(its folder .*no-such-dir\)/);
    expect(stdout).not.toHaveBeenCalled(); // no scenario ran: no table, no summary
  });
});

describe('mailhop run on a terminal', () => {
  test('keeps a "scenario n of m" line below the reports, then clears it before the summary', async () => {
    const stdout = fakeStdout(true);
    expect(await runCommand(SCENARIOS, { concurrency: 1 }, { stdout })).toBe(0);
    const text = stdout.text();
    expect(text).toContain('scenario 0 of 2 · 0 passed, 0 failed');
    expect(text).toContain('scenario 1 of 2 · 1 passed, 0 failed');
    expect(text).toContain('scenario 2 of 2 · 2 passed, 0 failed');
    // Reports are printed above the status line: erase it, print, redraw.
    expect(text).toContain('\r\x1b[2K');
    expect(text.indexOf('messagelabs-preserves-inbound-tls')).toBeLessThan(text.indexOf('scenario 2 of 2'));
    expect(text).toMatch(/\r\x1b\[2K\S*2 scenarios: 2 passed, 0 failed\S*\n$/);
  });

  test('--json stays machine-readable even on a terminal', async () => {
    const stdout = fakeStdout(true);
    await runCommand([SCENARIOS[0]], { json: true }, { stdout });
    expect(JSON.parse(stdout.text()).scenarios[0].name).toBe('messagelabs-preserves-inbound-tls');
  });
});
