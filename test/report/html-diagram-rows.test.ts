import { describe, expect, test } from 'vitest';
import { rowLayouts, rowsCss, rowWidths } from '../../harness/report/html-diagram-rows.js';

// Step widths as the diagram draws them: the client's box alone, then each arrow with the hop it ends on.
const FIVE = [128, 252, 252, 252, 252];

describe('rowLayouts', () => {
  test('five steps: one line, then two rows of three and two (never four and one), then narrower', () => {
    expect(rowLayouts(FIVE)).toEqual([
      { rows: 1, width: 1136, breaks: [] },
      { rows: 2, width: 632, breaks: [3] },
      { rows: 3, width: 504, breaks: [2, 4] },
      { rows: 4, width: 380, breaks: [2, 3, 4] },
      { rows: 5, width: 252, breaks: [1, 2, 3, 4] },
    ]);
  });

  test('balanced by width, not by count: a wide step gets a row of its own before narrow ones share one', () => {
    expect(rowLayouts([100, 500, 100, 100]).map((l) => [l.rows, l.width, l.breaks])).toEqual([
      [1, 800, []],
      [2, 600, [2]],
      [3, 500, [1, 2]],
    ]);
    expect(rowWidths([100, 500, 100, 100], [1, 2])).toEqual([100, 500, 200]);
  });

  test('one step: one layout; none: none', () => {
    expect(rowLayouts([128])).toEqual([{ rows: 1, width: 128, breaks: [] }]);
    expect(rowLayouts([])).toEqual([]);
  });
});

describe('rowsCss', () => {
  test('each narrower layout shows its row breaks and continuation marks within its width range', () => {
    const css = rowsCss('s1-x-chain', [128, 252, 252]).split('\n');
    expect(css).toEqual([
      '@container (width < 632px) and (width >= 380px) { #s1-x-chain .br-2 { display: block; } #s1-x-chain .step-2 .row-start { display: inline; } }',
      '@container (width < 380px) { #s1-x-chain .br-1, #s1-x-chain .br-2 { display: block; } #s1-x-chain .step-1 .row-start, #s1-x-chain .step-2 .row-start { display: inline; } }',
    ]);
    expect(rowsCss('one', [128])).toBe('');
  });
});
