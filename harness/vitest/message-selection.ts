/**
 * `forMessages(run, 'm2', ...)`: any mailhop matcher, narrowed to some of a run's messages, for
 * scenarios whose messages are meant to go different ways (e.g. one recipient domain on a
 * Boundary Encryption list, one not).
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { StartedChain } from '../chain/chain.js';
import { MailhopError } from '../errors.js';

const SELECTION = Symbol.for('mailhop.messageSelection');

/** A run narrowed to some of its messages; pass it to `expect()` like the run itself. */
export interface MessageSelection {
  readonly [SELECTION]: true;
  readonly run: ScenarioReport | StartedChain;
  readonly messageIds: readonly string[];
}

/**
 * @param run a StartedChain or a ScenarioReport
 * @throws MailhopError `EUSAGE` when no id is given.
 * @param messageIds message ids as the report names them (`m1`, `m2`, …; hand-sent mail under `up` too)
 * @example await expect(forMessages(chain, 'm2')).toHaveVerdict('gateway->mailbox', 'tls');
 * Unknown ids make the matcher fail with the ids that exist (after the run, not here).
 */
export function forMessages(run: ScenarioReport | StartedChain, ...messageIds: string[]): MessageSelection {
  if (messageIds.length === 0) {
    throw MailhopError.of('EUSAGE', { where: 'forMessages', what: 'select no message', why: 'it names none', hint: 'Name at least one message id, e.g. forMessages(chain, "m1").' });
  }
  return { [SELECTION]: true, run, messageIds };
}

export function isMessageSelection(value: unknown): value is MessageSelection {
  return typeof value === 'object' && value !== null && (value as Partial<MessageSelection>)[SELECTION] === true;
}

/**
 * The report with only the selected messages.
 * @throws MailhopError `EUSAGE` naming the ids the run has when a selected id is not one of them.
 */
export function narrowReport(report: ScenarioReport, messageIds: readonly string[], matcher: string): ScenarioReport {
  const missing = messageIds.filter((id) => !report.messages.some((m) => m.messageId === id));
  if (missing.length) {
    const has = report.messages.map((m) => m.messageId).join(', ') || 'none yet';
    throw MailhopError.of('EUSAGE', { where: matcher, what: `select message ${missing.join(', ')}`, why: `scenario ${report.name} has no such message; its messages are ${has}` });
  }
  const keep = new Set(messageIds);
  return { ...report, messages: report.messages.filter((m) => keep.has(m.messageId)), headers: report.headers?.filter((h) => keep.has(h.messageId)) };
}
