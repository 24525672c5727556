import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';

test('the README’s vitest example is readme-example.test.ts, which runs in this suite', async () => {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## In your vitest tests'));
  const block = section.slice(section.indexOf('```ts\n') + 6, section.indexOf('```\n', section.indexOf('```ts\n') + 6));
  const file = await readFile('test/vitest/readme-example.test.ts', 'utf8');
  expect(block).toBe(file.replace("'../../harness/vitest/index.js'", "'mailhop/vitest'"));
});
