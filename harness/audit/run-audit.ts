/**
 * Runs the audit battery against one target: each case becomes a scenario (audit-target.ts), validated by the
 * scenario schema, started as its own chain, run and judged; its report becomes a profile row (audit-row.ts).
 */
import { stringify } from 'yaml';
import { loadScenarioText, ScenarioError, type LoadedScenario } from '../scenario/load-scenario.js';
import { startChain } from '../chain/chain.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { unavailableEngines } from '../engines/unavailable-engines.js';
import { MailhopError } from '../errors.js';
import { AUDIT_CASES, watchedLink, type AuditCase } from './battery.js';
import { caseScenario, targetLabel, type AuditTarget } from './audit-target.js';
import { auditRow, type AuditRow } from './audit-row.js';

/** Options of {@link runAudit}. */
export interface RunAuditOptions {
  /** Case ids to run (default: the whole battery, in its order). */
  cases?: readonly string[];
  /** Cases run at once (default 2: real engines are heavy; 1 for an external target, which has one `listen` address). */
  concurrency?: number;
  /**
   * Real time, ms, a real engine or external gateway may hold one message before the case ends without its
   * decision (default 10,000: mailhop configures the engines to retry every 1-3 s).
   */
  engineSettleMs?: number;
  /** Lets an external target and its `listen` address be off loopback (`--allow-external`). */
  allowExternal?: boolean;
  /** Sees each row as its case finishes (`done` counts finished cases). */
  onRow?: (row: AuditRow, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The result of an audit: the target and one row per case run, in battery order. */
export interface AuditProfile {
  target: string;
  rows: AuditRow[];
}

/**
 * The battery's cases named by `ids` (all when absent).
 * @throws MailhopError EUSAGE naming an unknown case id and listing the known ones.
 */
export function selectCases(ids?: readonly string[]): AuditCase[] {
  if (!ids?.length) return [...AUDIT_CASES];
  const unknown = ids.filter((id) => !AUDIT_CASES.some((c) => c.id === id));
  if (unknown.length) {
    throw MailhopError.of('EUSAGE', { where: `--cases ${unknown.join(',')}`, what: 'select the audit cases', why: `no case ${unknown.map((u) => `"${u}"`).join(', ')}`, hint: `The cases are: ${AUDIT_CASES.map((c) => c.id).join(', ')}.` });
  }
  return AUDIT_CASES.filter((c) => ids.includes(c.id));
}

/**
 * The validated scenario of each case, before anything starts, so a bad `--set` fails the audit at once.
 * @throws ScenarioError naming the case (`audit:<case>`) and the key, for a target that cannot take a case's scenario.
 */
export function auditScenarios(target: AuditTarget, cases: readonly AuditCase[], options: Pick<RunAuditOptions, 'allowExternal'> = {}): LoadedScenario[] {
  return cases.map((c) => {
    try {
      return loadScenarioText(stringify(caseScenario(target, c)), `audit:${c.id}`, { allowExternal: options.allowExternal });
    } catch (err) {
      throw err instanceof ScenarioError ? settingError(target, c, err) ?? err : err;
    }
  });
}

/**
 * A problem of a case's generated scenario that a `--set` caused, named by that `--set` rather than by a position in
 * a scenario the user never wrote; undefined when no `--set` touches the problem's key.
 */
function settingError(target: AuditTarget, c: AuditCase, err: ScenarioError): MailhopError | undefined {
  if (target.kind === 'external') return undefined;
  for (const p of err.problems) {
    if (target.kind === 'preset' && p.path === 'hops[0].preset') {
      // A preset that needs a key of the hop's own takes it from --set.
      return MailhopError.of('EUSAGE', { where: `--preset ${target.preset}`, what: `audit it (case ${c.id})`, why: p.message.replace(/, e\.g\. .*$/, ''), hint: "Give the key with --set, e.g. --set 'outbound.enforce=[partner.test]'." });
    }
    if (p.path !== 'hops[0]' && !p.path.startsWith('hops[0].')) continue;
    const key = p.path.slice('hops[0].'.length);
    // The key itself (outbound.fallback), a key above it (outbound), or a top-level key the hop does not have (fallback).
    const set = Object.keys(target.set).find((k) => key === k || key.startsWith(`${k}.`) || k.startsWith(`${key}.`) || (key === '' && p.message.includes(`"${k.split('.')[0]}"`)));
    if (set !== undefined) {
      const where = key ? `${key}: ` : 'the hop: ';
      return MailhopError.of('EUSAGE', {
        where: `--set ${set}=${JSON.stringify(target.set[set])}`,
        what: `apply it to the target hop (audit case ${c.id})`,
        why: `${where}${p.message}`,
        ...(key === '' ? { hint: 'Hop keys are written from the hop down, e.g. --set outbound.fallback=never or --set inbound.starttls=require.' } : {}),
      });
    }
  }
  return undefined;
}

/**
 * Runs the battery (or `options.cases`) against `target`.
 * @throws MailhopError ENOENGINE when the target is a real engine this machine cannot run; ScenarioError for a bad `--set`.
 */
export async function runAudit(target: AuditTarget, options: RunAuditOptions = {}): Promise<AuditProfile> {
  const cases = selectCases(options.cases);
  const loaded = auditScenarios(target, cases, options);
  const missing = loaded.length ? unavailableEngines(loaded[0].scenario) : undefined;
  if (missing) throw MailhopError.of('ENOENGINE', { where: targetLabel(target), what: 'audit it', why: missing, hint: 'Run "mailhop doctor" to see what is missing, and "mailhop install-mtas" as root to install it.' });
  const rows: AuditRow[] = new Array(cases.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < cases.length && !options.signal?.aborted) {
      const i = next++;
      rows[i] = await runCase(cases[i], loaded[i], options);
      options.onRow?.(rows[i], ++done, cases.length);
    }
  };
  const concurrency = target.kind === 'external' ? 1 : Math.max(1, options.concurrency ?? 2);
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return { target: targetLabel(target), rows: rows.filter(Boolean) };
}

async function runCase(c: AuditCase, { scenario, file }: LoadedScenario, options: RunAuditOptions): Promise<AuditRow> {
  try {
    const chain = await startChain(scenario, { file, allowExternal: options.allowExternal, engineSettleMs: options.engineSettleMs ?? 10_000 });
    let report: ScenarioReport;
    try {
      report = await chain.run({ signal: options.signal });
    } finally {
      await chain.stop();
    }
    // Read after stop: a connection a real engine still held open (Postfix and Sendmail cache theirs) is recorded
    // as the chain stops, so the row shows every connection that crossed the link.
    return auditRow(c, report, chain.events());
  } catch (err) {
    return { case: c.id, link: watchedLink(c), outcomes: [], verdicts: [], sessions: [], wire: [], notes: [], error: (err as Error).message };
  }
}
