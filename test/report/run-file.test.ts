import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadScenarios } from '../../harness/index.js';
import { readRunFile, writeRunFile } from '../../harness/report/run-file.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { runRecords } from '../support/chain.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailhop-run-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run files keep the scenario', () => {
  test('a merged HTML report shows the description and the explanation, as the run that wrote the record would', async () => {
    const [run] = await runRecords(await loadScenarios(['scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml']));
    const file = join(dir, 'shard.json');
    await writeRunFile(file, [run], { index: 1, count: 1 });
    const [back] = (await readRunFile(file)).records;
    expect(back.scenario).toEqual(run.scenario);
    expect(renderHtml([back])).toBe(renderHtml([run]));
    expect(renderHtml([back])).toContain('<details class="explain" open>');
  });

  test('a record written without its scenario reads back without one', async () => {
    const [run] = await runRecords(await loadScenarios(['scenarios/all-hops-offer-encrypted.yaml']));
    const file = join(dir, 'old.json');
    await writeRunFile(file, [{ report: run.report, events: run.events }], null);
    const [back] = (await readRunFile(file)).records;
    expect(back).not.toHaveProperty('scenario');
    expect(renderHtml([back])).not.toContain('class="explain"');
  });
});
