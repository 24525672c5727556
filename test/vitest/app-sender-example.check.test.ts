import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';

test('the README’s app-as-sender example is app-sender-example.test.ts, which runs in this suite', async () => {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### The application as the first sender'));
  const start = section.indexOf('```ts\n') + 6;
  const block = section.slice(start, section.indexOf('```\n', start));
  const file = await readFile('test/vitest/app-sender-example.test.ts', 'utf8');
  expect(block).toBe(file.replace("'../../harness/vitest/index.js'", "'mailhop/vitest'"));
});
