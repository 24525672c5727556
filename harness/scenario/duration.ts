import { z } from 'zod';
import { MailhopError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Parses a duration written as in Postfix's time units: `"300ms"`, `"1s"`, `"5m"`, `"2h"`, `"5d"`,
 * or a bare number of milliseconds.
 *
 * @returns the duration in milliseconds (integer).
 * @throws MailhopError `EUSAGE` naming the bad text when it does not match `<number><ms|s|m|h|d>`.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return Math.round(text);
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw MailhopError.of('EUSAGE', { where: JSON.stringify(text), what: 'read it as a duration', why: 'expected <number><ms|s|m|h|d>', hint: 'Write e.g. 300ms, 1s, 5m, 2h, 5d.' });
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/** Formats milliseconds as the shortest exact duration text (`300000` -> `"5m"`). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Longest duration a scenario may name: 10 years, ms (a longer one is a mistake, and `9…9d` would be Infinity). */
export const MAX_DURATION_MS = 3650 * 86_400_000;

/** Longest real-time wait (a timeout, a link delay), ms: Node timers silently turn anything above 2^31-1 ms into 1 ms. */
export const MAX_REAL_WAIT_MS = 3_600_000;

/** What a duration may be written as: a number of ms or a `"5m"` text (problem messages recognise it by identity). */
export const DurationInput = z.union([
  z.number().int().nonnegative(),
  z.string().regex(DURATION_RE, 'must be a duration such as 300ms, 1s, 5m, 2h or 5d'),
]);

/** Zod type of a duration: input `"5m"` or a number of ms; output milliseconds, at most 10 years. */
export const Duration = DurationInput
  // A digit string too long for a double parses to Infinity; keep it a number so the bound below reports it.
  .transform((v) => Math.min(parseDuration(v), Number.MAX_SAFE_INTEGER))
  .pipe(z.number().max(MAX_DURATION_MS, 'must be at most 3650d'));

/**
 * A real-time wait (timeouts, link delays, a greeting delay): at most 1h, since a Node timer set past
 * 2^31-1 ms (~24.8 days) fires after 1 ms instead.
 */
export const RealWait = Duration.pipe(z.number().max(MAX_REAL_WAIT_MS, 'must be at most 1h (a real-time wait)'));

/** A retry delay: at least 1s, so a deferred message cannot be retried in a loop that never moves the clock. */
export const RetryDelay = Duration.pipe(z.number().min(1_000, 'must be at least 1s (a retry delay)'));
