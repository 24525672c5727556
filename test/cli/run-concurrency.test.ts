import { describe, it, expect, vi } from 'vitest';
import { runCommand } from '../../harness/cli/run-command.js';

// A bad --concurrency is a usage error (exit 2) that starts nothing, not 84 "interrupted" failures.
describe('mailhop run --concurrency', () => {
  it.each([Number.NaN, 0, -3, 1.5])('refuses %s with exit 2 and says why', async (concurrency) => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = { write: vi.fn(() => true) };
    try {
      expect(await runCommand(['scenarios/all-hops-offer-encrypted.yaml'], { concurrency }, { stdout: out as never })).toBe(2);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^mailhop run: --concurrency must be a whole number of scenarios, 1 or more; got "/);
      expect(out.write).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
  });
});
