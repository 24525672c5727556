/**
 * The run report of one scenario: a pure function of the scenario and its trace. Reports,
 * the CLI and matchers only render this object, so they cannot disagree with each other.
 */
import { linkNamesOf, type EndToEndName, type Expect, type LinkVerdictName, type OutcomeName, type Scenario } from '../scenario/schema.js';
import type { BouncedEvent, DeferredEvent, SessionEvent, TraceEvent } from '../trace/events.js';
import { checkAccounting, type AccountingProblem } from './accounting.js';
import { endToEndVerdict } from './end-to-end.js';
import { judgeMessageLink, type MessageLinkVerdict, type Witnesses } from './link-verdict.js';
import { hasOpaqueSender } from './opaque-link-verdict.js';
import { headerAccounts, type HeaderAccount } from './header-reconstruction.js';
import { EventsByMessage } from './events-by-message.js';

/** What happened to one message. */
export interface MessageReport {
  messageId: string;
  outcome: OutcomeName;
  endToEnd: EndToEndName;
  /** For a message not delivered: the hop holding it (or that bounced it) and the last reply. */
  stoppedAt?: { hop: string; reply: { code: number; enhanced?: string; text: string } };
  links: MessageLinkVerdict[];
}

/** One link, over all messages. */
export interface LinkReport {
  link: string;
  from: string;
  to: string;
  /** The verdict if every message got the same one, else the least secure of them. */
  verdict: LinkVerdictName;
  version?: string;
  cipher?: string;
  /** SMTP sessions opened on this link, all messages and attempts together (a real engine's or a gateway's: the connections the wire saw). */
  attempts: number;
  witnesses: Witnesses;
  disagreement?: string;
  notes: string[];
}

/** One claim of the scenario's `expect`, checked against every message. */
export interface Expectation {
  /** `outcome`, `endToEnd`, or a link name. */
  key: string;
  /** Set for a message's own claim (`messages[].expect`): the message it is about, e.g. `m2`. */
  messageId?: string;
  expected: string;
  /** The actual value, or `m1: x, m2: y` when messages differ. */
  actual: string;
  held: boolean;
}

/** The report of one scenario run. */
export interface ScenarioReport {
  name: string;
  file?: string;
  /** Every expectation held and nothing leaked (also true for a skipped scenario: nothing failed). */
  passed: boolean;
  /** Set when the scenario did not run on this machine, saying why (e.g. a real MTA is not installed). */
  skipped?: string;
  outcome: OutcomeName | 'mixed';
  endToEnd: EndToEndName | 'mixed';
  links: LinkReport[];
  messages: MessageReport[];
  /** SMTP sessions opened in the whole run. */
  attempts: number;
  expectations: Expectation[];
  /** Why the scenario failed, one sentence each (empty when it passed). */
  failures: string[];
  dsns: Array<{ messageId: string; hop: string; to: string; reply: { code: number; enhanced?: string; text: string } }>;
  /**
   * Per delivered message and link: what the final mailbox's trusted Received headers make a recipient believe
   * (`tls`, `plain`, `unknown`) against what happened (header-reconstruction.ts; docs/behaviour.md#E-headers-agree).
   * Absent only in a report made without a run (a chain that failed to start).
   */
  headers?: HeaderAccount[];
}

/**
 * The scenario's claims, checked: the scenario-wide `expect` over every message that does not claim the key
 * itself, then each message's own `expect` (a message `m<n>` is the scenario's n-th message) key by key.
 */
function expectationsOf(scenario: Scenario, messages: readonly MessageReport[], linkNames: readonly string[]): Expectation[] {
  const own = (m: MessageReport) => {
    const n = /^m(\d+)$/.exec(m.messageId);
    return n ? scenario.messages[Number(n[1]) - 1]?.expect : undefined;
  };
  const actualOf = (m: MessageReport, key: string) =>
    key === 'outcome' ? m.outcome : key === 'endToEnd' ? m.endToEnd : (m.links[linkNames.indexOf(key)]?.verdict ?? 'none');
  const claimOf = (e: Expect | undefined, key: string): string | undefined =>
    key === 'outcome' ? e?.outcome : key === 'endToEnd' ? e?.endToEnd : e?.links?.[key];
  const keys = ['outcome', ...linkNames, 'endToEnd'];
  const out: Expectation[] = [];
  for (const key of keys) {
    const expected = claimOf(scenario.expect, key);
    if (expected !== undefined) {
      const values = messages.filter((m) => claimOf(own(m), key) === undefined).map((m) => ({ id: m.messageId, value: actualOf(m, key) }));
      // Every message overriding the claim leaves nothing to check scenario-wide; an empty run still fails it.
      if (values.length || messages.every((m) => claimOf(own(m), key) === undefined)) {
        out.push({ key, expected, actual: describe(values), held: values.length > 0 && values.every((v) => v.value === expected) });
      }
    }
  }
  for (const m of messages) {
    for (const key of keys) {
      const expected = claimOf(own(m), key);
      if (expected === undefined) continue;
      const actual = actualOf(m, key);
      out.push({ key, messageId: m.messageId, expected, actual, held: actual === expected });
    }
  }
  // A message the scenario claims something of that never went through: its claim cannot hold.
  scenario.messages.forEach((msg, i) => {
    const id = `m${i + 1}`;
    if (!msg.expect || messages.some((m) => m.messageId === id)) return;
    for (const key of keys) {
      const expected = claimOf(msg.expect, key);
      if (expected !== undefined) out.push({ key, messageId: id, expected, actual: 'not sent', held: false });
    }
  });
  return out;
}

/** Less secure first: the order used to aggregate a link over several messages. */
const RANK: LinkVerdictName[] = ['stripped', 'downgraded', 'plain', 'refused', 'tls', 'tls-verified', 'none'];

function uniformOr<T extends string>(values: T[]): T | 'mixed' {
  return values.every((v) => v === values[0]) ? values[0] : 'mixed';
}

function describe(values: Array<{ id: string; value: string }>): string {
  const distinct = new Set(values.map((v) => v.value));
  return distinct.size === 1 ? values[0].value : values.map((v) => `${v.id}: ${v.value}`).join(', ');
}

/**
 * Judges a scenario run.
 * @param held messages still queued when the run stopped, with the hop holding each.
 */
export function judgeScenario(
  scenario: Scenario,
  events: readonly TraceEvent[],
  context: {
    file?: string;
    held: Array<{ messageId: string; hop: string }>;
    dsns: ScenarioReport['dsns'];
    /** Accounting problems counted as the run went (a chain with `traceLimit`); default: checked over `events`. */
    accounting?: AccountingProblem[];
  },
): ScenarioReport {
  const linkNames = linkNamesOf(scenario.hops.map((h) => h.id));
  // The messages the client sent, and mail sent by hand (`mailhop up`): whatever a hop accepted, in order of first appearance.
  const messageIds = [...new Set(events.flatMap((e) => ((e.kind === 'queued' && e.hop === 'client') || e.kind === 'accepted' ? [e.messageId] : [])))];

  const indexed = new EventsByMessage(events);
  const messages: MessageReport[] = messageIds.map((id) => {
    const links = linkNames.map((link) => judgeMessageLink(link, id, indexed.for(link, id)));
    const own = indexed.own(id);
    const delivered = own.some((e) => e.kind === 'delivered');
    const bounce = own.find((e): e is BouncedEvent => e.kind === 'bounced');
    let outcome: OutcomeName = 'deferred';
    let stoppedAt: MessageReport['stoppedAt'];
    if (delivered) outcome = 'delivered';
    else if (bounce) {
      outcome = bounce.hop === 'client' ? 'rejected' : 'bounced';
      stoppedAt = { hop: bounce.hop, reply: bounce.reply };
    } else {
      const holder = context.held.find((h) => h.messageId === id);
      const lastDefer = own.filter((e): e is DeferredEvent => e.kind === 'deferred').at(-1);
      const lastSession = own.filter((e): e is SessionEvent => e.kind === 'session').at(-1);
      const reply = lastDefer?.reply ?? lastSession?.reply ?? { code: 0, text: 'no attempt finished before the run ended' };
      stoppedAt = { hop: holder?.hop ?? lastDefer?.hop ?? 'unknown', reply };
    }
    return { messageId: id, outcome, endToEnd: endToEndVerdict(links, delivered), ...(stoppedAt ? { stoppedAt } : {}), links };
  });

  const links: LinkReport[] = linkNames.map((link, i) => {
    const per = messages.map((m) => m.links[i]);
    const verdict = per.map((p) => p.verdict).sort((a, b) => RANK.indexOf(a) - RANK.indexOf(b))[0] ?? 'none';
    const sample = per.find((p) => p.verdict === verdict);
    const [from, to] = link.split('->');
    // A real engine or a gateway records no sessions: count the connections the link's wire saw instead.
    const counted = hasOpaqueSender(link, events) ? 'wire' : 'session';
    return {
      link, from, to, verdict,
      ...(sample?.version ? { version: sample.version, cipher: sample.cipher } : {}),
      attempts: events.filter((e) => e.kind === counted && e.link === link).length,
      witnesses: sample?.witnesses ?? {},
      ...(per.find((p) => p.disagreement) ? { disagreement: per.find((p) => p.disagreement)!.disagreement } : {}),
      notes: [...new Set(per.flatMap((p) => p.notes.map((n) => (messages.length > 1 ? `${p.messageId} ${n}` : n))))],
    };
  });

  const expectations = expectationsOf(scenario, messages, linkNames);
  const failures = expectations.filter((e) => !e.held).map((e) => `expected ${e.messageId ? `${e.messageId} ` : ''}${e.key} ${e.expected}, got ${e.actual}`);
  for (const m of messages) {
    for (const l of m.links.filter((x) => x.leak)) {
      failures.push(`${m.messageId} leaked on ${l.link}: content crossed in clear where the policy in force required TLS`);
    }
  }

  const accounting = context.accounting ?? checkAccounting(events, context.held, scenario.hops.at(-1)!.id);
  failures.push(...accounting.map((p) => `accounting: ${p}`));

  return {
    name: scenario.name,
    ...(context.file ? { file: context.file } : {}),
    passed: failures.length === 0,
    outcome: uniformOr(messages.map((m) => m.outcome)),
    endToEnd: uniformOr(messages.map((m) => m.endToEnd)),
    links,
    messages,
    attempts: events.filter((e) => e.kind === 'session').length,
    expectations,
    failures,
    dsns: context.dsns,
    headers: headerAccounts(events, scenario.hops.map((h) => h.id), (id, link) =>
      messages.find((m) => m.messageId === id)?.links.find((l) => l.link === link)?.verdict),
  };
}
