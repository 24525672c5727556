import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

describe('the mailhop/vitest package entry', () => {
  test('exports ./vitest from the compiled harness/vitest/index, with its types', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8'));
    expect(pkg.exports['./vitest']).toEqual({ types: './dist/harness/vitest/index.d.ts', import: './dist/harness/vitest/index.js' });
    // tsconfig.build.json compiles harness/** into dist/, so the entry's source is:
    expect(existsSync('harness/vitest/index.ts')).toBe(true);
    expect(pkg.peerDependenciesMeta.vitest.optional).toBe(true);
  });

  test('importing it registers the matchers on vitest’s expect', async () => {
    const { mailhopMatchers } = await import('../../harness/vitest/index.js');
    expect(Object.keys(mailhopMatchers).sort()).toEqual(['toBeBelievedOn', 'toBeBouncedAt', 'toBeDeferredAt', 'toBeDelivered', 'toBeEncryptedOn', 'toBeHeldNeverInClear', 'toDowngradeAt', 'toHaveCopyTo', 'toHaveVerdict', 'toHoldTlsEndToEnd']);
    for (const name of Object.keys(mailhopMatchers)) expect(typeof (expect(1) as unknown as Record<string, unknown>)[name]).toBe('function');
  });
});
