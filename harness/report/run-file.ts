/**
 * Run files: what one `mailhop run --record <file>` did (reports, traces and times), so that shards
 * run on several CI machines can be merged into one JUnit or HTML report afterwards
 * (`mailhop merge`), the way Playwright merges its blob reports. JSON:
 * `{ "mailhop": "run-record", "version": 1, "shard": { "index": 1, "count": 4 } | null,
 *    "scenarios": [ { "report": ScenarioReport, "events": TraceEvent[], "durationMs": number, "scenario"?: Scenario } ] }`
 * (`scenario`, the scenario as parsed, lets a merged HTML report show descriptions and explanations).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { MailhopError } from '../errors.js';
import type { RunRecord } from './run-record.js';
import type { Shard } from '../cli/select-scenarios.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { EndToEndName, LinkVerdictName, OutcomeName } from '../scenario/schema.js';
import type { Scenario } from '../scenario/schema.js';
import type { TraceEvent } from '../trace/events.js';

const RUN_FILE_VERSION = 1;

// What the renderers read is checked to its words (a verdict goes into HTML attributes; a record is a CI
// artifact anyone may have written); the rest of a report is carried as it was written.
const LinkVerdict = z.looseObject({ link: z.string(), verdict: LinkVerdictName });
const ReportShape = z.looseObject({
  name: z.string(),
  passed: z.boolean(),
  outcome: z.union([OutcomeName, z.literal('mixed')]),
  endToEnd: z.union([EndToEndName, z.literal('mixed')]),
  links: z.array(z.looseObject({ link: z.string(), from: z.string(), to: z.string(), verdict: LinkVerdictName, attempts: z.number() })),
  messages: z.array(z.looseObject({ messageId: z.string(), outcome: z.union([OutcomeName, z.literal('mixed')]), endToEnd: z.union([EndToEndName, z.literal('mixed')]), links: z.array(LinkVerdict) })),
  expectations: z.array(z.looseObject({ key: z.string(), expected: z.string(), actual: z.string(), held: z.boolean() })),
  failures: z.array(z.string()),
  dsns: z.array(z.unknown()),
});
const RunFileSchema = z.object({
  mailhop: z.literal('run-record'),
  version: z.literal(RUN_FILE_VERSION),
  shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }).refine((s) => s.index <= s.count, 'index must not exceed count').nullable(),
  scenarios: z.array(
    z.object({
      report: ReportShape,
      events: z.array(z.looseObject({ kind: z.string() })),
      durationMs: z.number().nonnegative().optional(),
      scenario: z.looseObject({ name: z.string(), hops: z.array(z.unknown()) }).optional(),
    }),
  ),
});

/** A run file as read back. */
export interface RunFile {
  file: string;
  shard: Shard | null;
  records: RunRecord[];
}

/** Writes the records of one run (one shard) to `file`. Rejects with the file system's error. */
export async function writeRunFile(file: string, records: readonly RunRecord[], shard: Shard | null): Promise<void> {
  const body = { mailhop: 'run-record', version: RUN_FILE_VERSION, shard, scenarios: records.map((r) => ({ report: r.report, events: r.events, durationMs: r.durationMs, scenario: r.scenario })) };
  await writeFile(file, JSON.stringify(body));
}

/**
 * Reads one run file.
 * @throws MailhopError (code `EUSAGE`) naming the file and what is wrong: unreadable, not JSON, or
 * not a version-1 mailhop run record (with the first offending key path).
 */
export async function readRunFile(file: string): Promise<RunFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw MailhopError.of('EUSAGE', { where: file, what: 'read it as a run record', why: (err as Error).message, cause: err });
  }
  const parsed = RunFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw MailhopError.of('EUSAGE', {
      where: file,
      what: 'read it as a run record',
      why: `${where}: ${issue.message}`,
      hint: `A run record is what \`mailhop run --record\` writes (version ${RUN_FILE_VERSION}).`,
    });
  }
  return {
    file,
    shard: parsed.data.shard,
    records: parsed.data.scenarios.map((s) => ({
      report: s.report as unknown as ScenarioReport,
      events: s.events as unknown as TraceEvent[],
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
      ...(s.scenario ? { scenario: s.scenario as unknown as Scenario } : {}),
    })),
  };
}

/**
 * Merges run files into one list of records, ordered by scenario file then name (the order shards
 * were cut in), whatever order the files are given in.
 * @throws MailhopError (code `EUSAGE`) when two files hold the same scenario (the same shard given
 * twice, or shards of different splits), naming both files.
 */
export function mergeRunFiles(files: readonly RunFile[]): RunRecord[] {
  const seen = new Map<string, string>();
  const all: Array<{ key: string; record: RunRecord }> = [];
  for (const f of files) {
    for (const record of f.records) {
      const key = `${record.report.file ?? ''}\u0000${record.report.name}`;
      const other = seen.get(key);
      if (other) {
        const scenario = `scenario ${record.report.name}${record.report.file ? ` (${record.report.file})` : ''}`;
        throw MailhopError.of('EUSAGE', { where: scenario, what: 'merge it twice', why: `it is in both ${other} and ${f.file}`, hint: 'Give each shard\'s record once.' });
      }
      seen.set(key, f.file);
      all.push({ key, record });
    }
  }
  return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((x) => x.record);
}
