import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Parses a duration written as in Postfix's time units: `"300ms"`, `"1s"`, `"5m"`, `"2h"`, `"5d"`,
 * or a bare number of milliseconds.
 *
 * @returns the duration in milliseconds (integer).
 * @throws Error naming the bad text when it does not match `<number><ms|s|m|h|d>`.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return Math.round(text);
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (write e.g. 300ms, 1s, 5m, 2h, 5d)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/** Formats milliseconds as the shortest exact duration text (`300000` -> `"5m"`). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Zod type of a duration: input `"5m"` or a number of ms; output milliseconds. */
export const Duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(DURATION_RE, 'must be a duration such as 300ms, 1s, 5m, 2h or 5d'),
  ])
  .transform((v) => parseDuration(v));
