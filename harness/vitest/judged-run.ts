/**
 * Turns what a matcher received into the report it renders (and the trace it quotes): a
 * ScenarioReport as it is, or a StartedChain after it settles. Matchers never judge: the report
 * comes from verdict/judgeScenario, through the chain's `report()`.
 */
import type { ScenarioReport, MessageReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import { isMessageSelection, narrowReport } from './message-selection.js';
import { MailhopError } from '../errors.js';

/** The report a matcher renders, and the trace behind it when the matcher got a chain. */
export interface JudgedRun {
  report: ScenarioReport;
  events?: readonly TraceEvent[];
}

interface ChainLike {
  report(): ScenarioReport;
  events(): TraceEvent[];
  settle?(): Promise<unknown>;
}

function isReport(value: unknown): value is ScenarioReport {
  const v = value as ScenarioReport | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.links) && Array.isArray(v.messages) && typeof v.name === 'string';
}

function isChain(value: unknown): value is ChainLike {
  const v = value as ChainLike | null;
  return typeof v === 'object' && v !== null && typeof v.report === 'function' && typeof v.events === 'function';
}

/**
 * @throws MailhopError `EUSAGE` when `received` is neither a ScenarioReport nor a StartedChain (nor `forMessages` of one),
 *   or when `forMessages` named a message the run does not have.
 */
export async function judgedRunOf(received: unknown, matcher: string): Promise<JudgedRun> {
  if (isMessageSelection(received)) {
    const run = await judgedRunOf(received.run, matcher);
    return { ...run, report: narrowReport(run.report, received.messageIds, matcher) };
  }
  if (isChain(received)) {
    await received.settle?.();
    return { report: received.report(), events: received.events() };
  }
  if (isReport(received)) return { report: received };
  const got = received === null ? 'null' : typeof received;
  throw MailhopError.of('EUSAGE', { where: matcher, what: `judge ${got}`, why: 'expect() needs a ScenarioReport or a StartedChain' });
}

/**
 * The run's messages.
 * @throws MailhopError `EUSAGE` when none went through the chain (so `.not` cannot pass on an empty run).
 */
export function messagesOf(run: JudgedRun, matcher: string): MessageReport[] {
  if (run.report.messages.length === 0) {
    throw MailhopError.of('EUSAGE', { where: matcher, what: 'judge an empty run', why: `no message went through scenario ${run.report.name} yet`, hint: 'Call chain.run() (or send()) first.' });
  }
  return run.report.messages;
}

/**
 * The index of a link in the report.
 * @throws MailhopError `EUSAGE` naming the links that exist when `link` is not one of them.
 */
export function linkIndexOf(run: JudgedRun, link: string, matcher: string): number {
  const i = run.report.links.findIndex((l) => l.link === link);
  if (i < 0) {
    const links = run.report.links.map((l) => l.link).join(', ');
    throw MailhopError.of('EUSAGE', { where: matcher, what: `judge link ${link}`, why: `scenario ${run.report.name} has no such link; its links are ${links}`, link });
  }
  return i;
}

/** What a matcher returns to vitest (its `SyncExpectationResult`). */
export interface MatcherOutcome {
  pass: boolean;
  /** The failure text, for `expect(x).toY()` failing or `expect(x).not.toY()` failing. */
  message: () => string;
}
