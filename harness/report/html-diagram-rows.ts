/**
 * Where a chain diagram breaks into rows, decided when the page is written and chosen by the browser
 * with CSS container queries (no script): for every number of rows the chain can take, the split into
 * contiguous rows whose widest row is as narrow as possible (balanced rows, earlier rows the fuller
 * on a tie, as text fills lines), and the container width from which that split fits. A four-hop
 * chain too wide for one line becomes two rows of two or three hops, never three hops and one alone.
 */

/** One way to lay the chain out: `breaks` are the indexes of the steps that start a row (not 0). */
export interface RowLayout {
  rows: number;
  /** The widest row, px: the container must be at least this wide. */
  width: number;
  breaks: number[];
}

/** Rows greedily filled up to `limit` px: the index of each row's first step after the first row. */
function fill(widths: readonly number[], limit: number): number[] {
  const breaks: number[] = [];
  let row = 0;
  widths.forEach((w, i) => {
    if (i > 0 && row + w > limit) {
      breaks.push(i);
      row = 0;
    }
    row += w;
  });
  return breaks;
}

/**
 * Every distinct layout of steps `widths` (px, in chain order), from one row down to one step per row:
 * for each row count, the smallest limit at which filling rows greedily needs no more rows. Layouts
 * whose widest row is no narrower than the one before are dropped (they would never be chosen).
 */
export function rowLayouts(widths: readonly number[]): RowLayout[] {
  if (widths.length === 0) return [];
  // The widest row is always the sum of some contiguous steps: try each, narrowest first.
  const sums = new Set<number>();
  for (let i = 0; i < widths.length; i++) {
    let sum = 0;
    for (let j = i; j < widths.length; j++) sums.add((sum += widths[j]));
  }
  const limits = [...sums].filter((s) => s >= Math.max(...widths)).sort((a, b) => a - b);
  const layouts: RowLayout[] = [];
  for (let rows = 1; rows <= widths.length; rows++) {
    const limit = limits.find((l) => fill(widths, l).length + 1 <= rows)!;
    const breaks = fill(widths, limit);
    const width = rowWidths(widths, breaks).reduce((a, b) => Math.max(a, b), 0);
    if (layouts.length === 0 || width < layouts.at(-1)!.width) layouts.push({ rows: breaks.length + 1, width, breaks });
  }
  return layouts;
}

/** The width of each row of `widths` broken before `breaks`. */
export function rowWidths(widths: readonly number[], breaks: readonly number[]): number[] {
  const out = [0];
  widths.forEach((w, i) => {
    if (breaks.includes(i)) out.push(0);
    out[out.length - 1] += w;
  });
  return out;
}

/**
 * The CSS that picks a layout for the diagram `#id` by the width of its container (`.diagram`, a
 * `container-type: inline-size` element): each narrower layout shows its row breaks (`.br-<i>`, an
 * empty full-width flex item before step i) and the mark that an arrow continues from the row above
 * (`.step-<i> .row-start`). Empty when one layout is all there is.
 */
export function rowsCss(id: string, widths: readonly number[]): string {
  const layouts = rowLayouts(widths);
  const rules: string[] = [];
  for (let k = 1; k < layouts.length; k++) {
    const { breaks, width } = layouts[k];
    const below = `(width < ${layouts[k - 1].width}px)`;
    const query = k === layouts.length - 1 ? below : `${below} and (width >= ${width}px)`;
    const br = breaks.map((i) => `#${id} .br-${i}`).join(', ');
    const start = breaks.map((i) => `#${id} .step-${i} .row-start`).join(', ');
    rules.push(`@container ${query} { ${br} { display: block; } ${start} { display: inline; } }`);
  }
  return rules.join('\n');
}
