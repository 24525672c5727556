/**
 * The text report's link table lines up in a terminal: ⛔ takes two columns although it is one UTF-16
 * unit (🔒 is two units and two columns), so padding by string length shifted every cell after a
 * refused link by one. The `none` mark is not the middle dot that separates a line's parts.
 */
import { stripVTControlCharacters as plainText } from 'node:util';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { renderScenario } from '../../harness/report/text-report.js';

describe('the text report link table', () => {
  it('puts every column at the same terminal column on every row, a refused link included', async () => {
    const { scenario } = await loadScenarioFile('scenarios/fake-502-mandatory-held.yaml');
    await using chain = await startChain(scenario);
    const report = await chain.run();
    const lines = plainText(renderScenario(report)).split('\n');
    const header = lines.find((l) => l.includes('verdict') && l.includes('cipher'))!;
    const rows = lines.filter((l) => l.includes('->'));
    expect(rows.map((r) => r.trim().split(/\s+/).slice(1, 3))).toEqual([['🔒', 'tls'], ['⛔', 'refused']]);
    const columnOf = (line: string, cell: string, after = '') => stringWidth(line.slice(0, line.indexOf(cell, line.indexOf(after) + after.length)));
    const tlsColumn = columnOf(header, 'TLS');
    const sessionsColumn = columnOf(header, 'sessions');
    expect(columnOf(rows[0], 'TLSv1.3')).toBe(tlsColumn);
    expect(columnOf(rows[1], '-', 'refused')).toBe(tlsColumn);
    // The session count is the last cell: right after the padding of the cipher column.
    for (const row of rows) expect(stringWidth(row.replace(/\d+$/, ''))).toBe(sessionsColumn);
  });
});
