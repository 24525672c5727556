/**
 * Comparing audit profiles: where two targets behave differently, case by case, and which presets come
 * closest to a measured target. Pure.
 *
 * Two rows agree when every message has the same outcome, the same verdict on the watched link and as many
 * SMTP sessions on it (counted 1, 2, or 3 and more), and a message that stopped did so with a reply of the same
 * class (RFC 5321 §4.2.1: 4xx transient, 5xx permanent). Sessions are counted so because 1 (one session), 2 (a
 * reconnect in the same attempt, as Exim does) and 3+ (further attempts, as Postfix's deferral then fallback)
 * tell the behaviours apart, while the exact number of later attempts depends on real-time retry timers.
 * Texts, cipher names and timings are shown but not compared: they differ between products that behave the same.
 */
import type { AuditRow } from './audit-row.js';

/** One case where two profiles differ, and how. */
export interface CaseDifference {
  case: string;
  /** e.g. `verdicts: plain ≠ tls`, `sessions: 2 ≠ 1`. */
  how: string[];
}

/** A profile: the rows of one target, by case id. */
export type Profile = readonly AuditRow[];

/**
 * `1`, `2` or `3+` (see the file comment); for a message still deferred when its case ended, only whether it was
 * tried (`1+`): how many retries fit in a case is the length of the case (real seconds for an engine, a virtual
 * hour for a mock), not the product's behaviour.
 */
export function sessionClass(n: number, outcome?: string): string {
  if (outcome === 'deferred') return n > 0 ? '1+' : '0';
  return n >= 3 ? '3+' : String(n);
}

function replyClass(row: AuditRow): string {
  return row.reply ? `${row.reply[0]}xx` : '-';
}

/** How `a` and `b` (the same case) differ; empty when they agree. */
export function rowDifferences(a: AuditRow, b: AuditRow): string[] {
  const how: string[] = [];
  const shown = (row: AuditRow, key: 'outcomes' | 'verdicts' | 'sessions') =>
    (key === 'sessions' ? row.sessions.map((n, i) => sessionClass(n, row.outcomes[i])) : row[key]).join(', ');
  const list = (key: 'outcomes' | 'verdicts' | 'sessions') => {
    const [x, y] = [shown(a, key), shown(b, key)];
    if (x !== y) how.push(`${key}: ${x} ≠ ${y}`);
  };
  if (a.error || b.error) return a.error === b.error ? [] : [`error: ${a.error ?? 'none'} ≠ ${b.error ?? 'none'}`];
  list('outcomes');
  list('verdicts');
  // Sessions tell behaviours apart only between messages that ended the same way.
  if (shown(a, 'outcomes') === shown(b, 'outcomes')) list('sessions');
  // A message still held with no reply logged yet is undecided (a real engine's own timeout can outlast the case):
  // its reply class says nothing about the product.
  const undecided = (row: AuditRow) => !row.reply && row.outcomes[0] === 'deferred';
  if (replyClass(a) !== replyClass(b) && !undecided(a) && !undecided(b)) how.push(`reply class: ${replyClass(a)} ≠ ${replyClass(b)}`);
  return how;
}

/** The cases where `measured` and `model` differ (cases only one of them ran are left out). */
export function profileDifferences(measured: Profile, model: Profile): CaseDifference[] {
  const byCase = new Map(model.map((r) => [r.case, r]));
  return measured.flatMap((row) => {
    const other = byCase.get(row.case);
    const how = other ? rowDifferences(row, other) : [];
    return how.length ? [{ case: row.case, how }] : [];
  });
}

/** One candidate preset, with the cases where it differs from the measured target. */
export interface PresetDistance {
  preset: string;
  differences: CaseDifference[];
}

/**
 * The candidates ordered closest first: fewest differing cases, then fewest differing fields over all cases;
 * remaining ties keep the order given.
 */
export function closestPresets(measured: Profile, candidates: ReadonlyArray<{ preset: string; profile: Profile }>): PresetDistance[] {
  const fields = (d: CaseDifference[]) => d.reduce((n, c) => n + c.how.length, 0);
  return candidates
    .map(({ preset, profile }, order) => ({ preset, differences: profileDifferences(measured, profile), order }))
    .sort((x, y) => x.differences.length - y.differences.length || fields(x.differences) - fields(y.differences) || x.order - y.order)
    .map(({ preset, differences }) => ({ preset, differences }));
}
