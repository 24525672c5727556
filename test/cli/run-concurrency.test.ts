import { describe, it, expect, vi } from 'vitest';
import { runCommand } from '../../harness/cli/run-command.js';

/**
 * Runs `mailhop run` on one scenario with `options` and expects a usage error: exit 2, `why` on stderr, nothing
 * started (nothing on stdout).
 */
async function expectUsageError(options: Parameters<typeof runCommand>[1], why: RegExp): Promise<void> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = { write: vi.fn(() => true) };
  try {
    expect(await runCommand(['scenarios/all-hops-offer-encrypted.yaml'], options, { stdout: out as never })).toBe(2);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(why);
    expect(out.write).not.toHaveBeenCalled();
  } finally {
    stderr.mockRestore();
  }
}

// A bad --concurrency is a usage error (exit 2) that starts nothing, not 84 "interrupted" failures.
describe('mailhop run --concurrency', () => {
  it.each([Number.NaN, 0, -3, 1.5])('refuses %s with exit 2 and says why', (concurrency) =>
    expectUsageError({ concurrency }, /^mailhop run: --concurrency must be a whole number of scenarios, 1 or more; got "/));
});

describe('mailhop run --threads', () => {
  it.each([Number.NaN, -1, 1.5])('refuses %s with exit 2 and says why', (threads) =>
    expectUsageError({ threads }, /^mailhop run: --threads must be a whole number of threads, 0 or more; got "/));

  it('runs scenarios on a thread besides the main one and reports them as without', async () => {
    const files = ['scenarios/all-hops-offer-encrypted.yaml', 'scenarios/fake-454-opportunistic-continues-in-plaintext.yaml', 'scenarios/interception-caught-by-verify.yaml'];
    const outputs: string[] = [];
    for (const threads of [1, 0]) {
      let text = '';
      expect(await runCommand(files, { threads, json: true }, { stdout: { write: (s: string) => ((text += s), true) } as never })).toBe(0);
      const { scenarios } = JSON.parse(text) as { scenarios: Array<{ name: string; outcome: string; links: Array<{ link: string; verdict: string }> }> };
      outputs.push(JSON.stringify(scenarios.map((s) => [s.name, s.outcome, s.links.map((l) => [l.link, l.verdict])])));
    }
    expect(outputs[0]).toBe(outputs[1]);
    expect(JSON.parse(outputs[0])).toHaveLength(3);
  });
});
