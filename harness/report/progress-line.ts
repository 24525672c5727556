/**
 * The one-line progress of `mailhop run` on a terminal: a bar, `scenario n of m`, and the tally so
 * far, e.g. `▕██████░░░░░░░░░░░░░░▏ scenario 6 of 20 · 5 passed, 1 failed`. Pure: counts in, text out.
 */
import pc from 'picocolors';

/** Counts of a run in progress. */
export interface Progress {
  /** Scenarios finished. */
  done: number;
  total: number;
  passed: number;
  failed: number;
  /** What is counted (default `scenario`; `mailhop audit` counts cases). */
  noun?: string;
}

/** Renders the line, at most `columns` characters wide (the bar shrinks first). */
export function renderProgress(p: Progress, columns = 80): string {
  const tally = `${p.noun ?? 'scenario'} ${p.done} of ${p.total} · ${p.passed} passed, ${p.failed} failed`;
  const room = Math.max(0, Math.min(20, columns - tally.length - 4));
  if (room < 5) return tally.slice(0, columns);
  const filled = p.total === 0 ? room : Math.round((p.done / p.total) * room);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(room - filled)}`;
  return `▕${p.failed ? pc.red(bar) : pc.green(bar)}▏ ${tally}`;
}
