/**
 * Which loaded scenarios a `mailhop run` takes: `--grep` and `--shard`. Pure: the list in, the list
 * out, with errors that name the flag and the value.
 */
import type { LoadedScenario } from '../scenario/load-scenario.js';
import { MailhopError } from '../errors.js';

/** One part of a run split over CI machines: shard `index` (from 1) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `--shard i/n` (1 <= i <= n, whole numbers).
 * @throws MailhopError (code `EUSAGE`) naming the value, e.g. `--shard "0/3": cannot cut the run into shards: expected i/n with 1 <= i <= n (e.g. 2/4).`
 */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || index < 1 || count < 1 || index > count) {
    throw MailhopError.of('EUSAGE', { where: `--shard ${JSON.stringify(text)}`, what: 'cut the run into shards', why: 'expected i/n with 1 <= i <= n (e.g. 2/4)' });
  }
  return { index, count };
}

/**
 * Parses `--grep <pattern>`, a JavaScript regular expression (no flags; case-sensitive, like vitest's `-t`).
 * @throws MailhopError (code `EUSAGE`) quoting the pattern and the parser's complaint.
 */
export function parseGrep(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (err) {
    throw MailhopError.of('EUSAGE', { where: `--grep ${JSON.stringify(text)}`, what: 'read it as a regular expression', why: (err as Error).message });
  }
}

/**
 * The scenarios `--grep` and `--shard` leave, in their original order.
 * - `grep` keeps a scenario whose `name` or file path matches.
 * - `shard` sorts what is left by file path, then name (so every CI machine, whatever order its
 *   shell lists files in, cuts the same list), and keeps the `index`-th of `count` contiguous
 *   slices of ceil(length / count) scenarios, as vitest's and Playwright's `--shard` do; the last
 *   slices may be shorter or empty.
 */
export function selectScenarios(loaded: readonly LoadedScenario[], options: { grep?: RegExp; shard?: Shard }): LoadedScenario[] {
  const { grep, shard } = options;
  const matched = grep ? loaded.filter((l) => grep.test(l.scenario.name) || grep.test(l.file)) : [...loaded];
  if (!shard) return matched;
  const key = (l: LoadedScenario) => `${l.file}\u0000${l.scenario.name}`;
  const sorted = [...matched].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const size = Math.ceil(sorted.length / shard.count);
  const mine = new Set(sorted.slice((shard.index - 1) * size, shard.index * size));
  return matched.filter((l) => mine.has(l));
}
