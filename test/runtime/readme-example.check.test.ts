import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';

test('the README’s container example is readme-example.test.ts, which runs in this suite', async () => {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Containers: one MTA per container'));
  const start = section.indexOf('```ts\n') + 6;
  const block = section.slice(start, section.indexOf('```\n', start));
  expect(block).toBe(await readFile('test/runtime/readme-example.test.ts', 'utf8'));
});
