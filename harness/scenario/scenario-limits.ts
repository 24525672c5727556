/**
 * What one scenario may ask of a run, so that every valid scenario ends in bounded time and memory: the
 * hops of its chain, the messages it lists, the delivery attempts one message may take from one sender
 * (its retry schedule until `maxAge`, or until `runFor` ends the run), and the delivery attempts of the
 * whole run (messages x attempts on every link). Without them a 400-byte file (`retry: [1s]`,
 * `maxAge: 3650d`, `runFor: 3650d`, TLS required towards a hop without STARTTLS) asks for 315 million
 * SMTP sessions, and a run that never ends.
 *
 * Each limit is far above what a demanding but honest scenario needs; the comments say why.
 */
import { formatDuration } from './duration.js';

/** The limits a scenario is checked against. */
export const SCENARIO_LIMITS = Object.freeze({
  /**
   * Hops in one chain. Real paths have a handful; RFC 5321 §6.3 takes about 100 Received headers as the
   * sign of a mail loop (Postfix's `hopcount_limit` bounces at 50), so no real chain is longer.
   */
  hops: 100,
  /**
   * Messages a scenario lists. Each is written out in the file; volume (the 10,000-message soak) is sent
   * through the API with `chain.send()`, which this does not bound.
   */
  messages: 10_000,
  /**
   * Delivery attempts one message may take from one sender. Real queues make far fewer over their whole
   * lifetime: Postfix's defaults 112 in 5 days, Exim's about 30, Sendmail with a 15-minute queue run
   * about 480; a one-second retry for the default 1h `runFor` makes 3,601.
   */
  attemptsPerMessage: 10_000,
  /**
   * Delivery attempts (each at least one SMTP session) the whole run could make if every attempt were
   * deferred. The 10,000-message soak makes 40,000 sessions in about 7 minutes on 2 cores; a million is
   * some hours, still a run that ends.
   */
  attempts: 1_000_000,
});

/** One limit a scenario passes: where (a key path) and what. `onKey`: point at the key rather than its value. */
export interface LimitProblem {
  path: PropertyKey[];
  message: string;
  onKey: boolean;
}

/**
 * How many delivery attempts a queue makes for one message that is deferred every time: the first at
 * once, then after each retry delay (the last repeating), the last one when the message is `maxAge` old
 * (mta/relay-queue.ts), and none after the run's end at `runFor` (chain/virtual-clock.ts).
 *
 * @param retry the delays between attempts, ms (each at least 1 s: RetryDelay).
 * @param maxAge the queue lifetime, ms.
 * @param runFor the virtual time the run lasts, ms.
 * @returns the number of attempts (at least 1), computed without walking the schedule.
 * @example attemptsPerMessage([1_000], 10_000, 3_600_000) // 11: at 0, 1 s, ..., 9 s and at 10 s
 */
export function attemptsPerMessage(retry: readonly number[], maxAge: number, runFor: number): number {
  // Attempt times are 0, S1, S2, ... (S = sums of the delays) while below maxAge, and one at maxAge itself.
  if (runFor >= maxAge) return timesBefore(retry, maxAge, true) + 1;
  return timesBefore(retry, runFor, false);
}

/** How many of the times 0, S1, S2, ... are below `limit` (`strict`) or at most `limit`. */
function timesBefore(retry: readonly number[], limit: number, strict: boolean): number {
  const within = (t: number) => (strict ? t < limit : t <= limit);
  if (!within(0)) return 0;
  let count = 1;
  let sum = 0;
  for (const delay of retry) {
    sum += delay;
    if (!within(sum)) return count;
    count++;
  }
  // The last delay repeats until the limit.
  const delay = retry[retry.length - 1];
  const room = limit - sum;
  return count + (strict ? Math.ceil(room / delay) - 1 : Math.floor(room / delay));
}

/**
 * Checks a scenario against SCENARIO_LIMITS. Reads the value defensively (it may hold other problems):
 * the attempt limits are checked only where the retry schedule, `maxAge` and `runFor` parsed, and only
 * when the hop and message counts are within theirs.
 *
 * @param value the scenario as parsed so far (durations in ms).
 * @returns one problem per limit passed; empty when the scenario is within every limit.
 */
export function scenarioLimitProblems(value: unknown): LimitProblem[] {
  if (!isRecord(value)) return [];
  const problems: LimitProblem[] = [];
  const hops = Array.isArray(value.hops) ? value.hops : [];
  const messages = Array.isArray(value.messages) ? value.messages : [];
  if (hops.length > SCENARIO_LIMITS.hops) {
    problems.push({ path: ['hops'], onKey: true, message: `${hops.length} hops; a chain has at most ${SCENARIO_LIMITS.hops} (RFC 5321 §6.3 takes that many Received headers for a mail loop)` });
  }
  if (messages.length > SCENARIO_LIMITS.messages) {
    problems.push({ path: ['messages'], onKey: true, message: `${messages.length} messages; a scenario lists at most ${SCENARIO_LIMITS.messages} (send more with chain.send())` });
  }
  if (problems.length || typeof value.runFor !== 'number' || !Number.isFinite(value.runFor)) return problems;
  const runFor = value.runFor;
  // Every link's sender: the injecting client, then each hop but the last (the mailbox sends nothing on).
  const senders: Array<{ path: PropertyKey[]; policy: unknown; mock: boolean }> = [
    { path: ['submit'], policy: value.submit, mock: true },
    ...hops.slice(0, -1).map((hop: unknown, i) => ({
      path: ['hops', i, 'outbound'],
      policy: isRecord(hop) ? hop.outbound : undefined,
      // Read as written (this check also runs beside other problems): no `engine:` is a mock.
      mock: isRecord(hop) && (hop.engine === undefined || hop.engine === 'mock'),
    })),
  ];
  let total = 0;
  for (const sender of senders) {
    // A real engine or an external gateway retries on its own real-time schedule, and the chain waits for it
    // a bounded real time per message (engineSettleMs): counted as one attempt.
    const schedule = sender.mock ? scheduleOf(sender.policy) : null;
    const attempts = schedule ? attemptsPerMessage(schedule.retry, schedule.maxAge, runFor) : 1;
    if (schedule && attempts > SCENARIO_LIMITS.attemptsPerMessage) {
      const retry = `[${schedule.retry.map(formatDuration).join(', ')}]`;
      problems.push({
        path: [...sender.path, 'retry'],
        onKey: false,
        message: `${retry} until maxAge ${formatDuration(schedule.maxAge)} (runFor ${formatDuration(runFor)}) makes up to ${attempts} delivery attempts per message; at most ${SCENARIO_LIMITS.attemptsPerMessage} (lengthen the delays, or shorten maxAge or runFor)`,
      });
    }
    total += attempts;
  }
  if (problems.length) return problems;
  const all = messages.length * total;
  if (all > SCENARIO_LIMITS.attempts) {
    problems.push({
      path: ['messages'],
      onKey: true,
      message: `${messages.length} messages with up to ${total} delivery attempts each (over ${senders.length} links) could take ${all} SMTP sessions; a run takes at most ${SCENARIO_LIMITS.attempts} (fewer messages, longer retry delays, or a shorter maxAge or runFor)`,
    });
  }
  return problems;
}

/** The retry schedule of a parsed outbound policy, or null while it has problems of its own. */
function scheduleOf(policy: unknown): { retry: number[]; maxAge: number } | null {
  if (!isRecord(policy) || !Array.isArray(policy.retry) || !policy.retry.length || typeof policy.maxAge !== 'number' || !Number.isFinite(policy.maxAge)) return null;
  const retry = policy.retry as unknown[];
  if (!retry.every((d): d is number => typeof d === 'number' && d >= 1_000)) return null;
  return { retry, maxAge: policy.maxAge };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
