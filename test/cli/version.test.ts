import { readFileSync } from 'node:fs';
import { expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.js';

it('--version and -V print the package version and exit 0', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main([flag])).toBe(0);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toBe(`${version}\n`);
    } finally {
      out.mockRestore();
    }
  }
});
