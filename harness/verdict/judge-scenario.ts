/**
 * The run report of one scenario: a pure function of the scenario and its trace. Reports,
 * the CLI and matchers only render this object, so they cannot disagree with each other.
 */
import type { Expectation } from './expectation.js';
export type { Expectation } from './expectation.js';
import { chainTopology, type EndToEndName, type Expect, type LinkVerdictName, type OutcomeName, type Scenario } from '../scenario/schema.js';
import type { MtaStsEvent, TlsFailureType, TraceEvent } from '../trace/events.js';
import { AccountingTally, type AccountingProblem, type HeldCopy } from './accounting.js';
import { leastSecure, senderWitness, type Witnesses } from './link-verdict.js';
import { headerAccountsOf, knownHops, type HeaderAccount } from './header-reconstruction.js';
import { judgeMessage, type MessageReport } from './judge-message.js';
import { TraceIndex } from './trace-index.js';
import { mxRoutesOf } from './destination-outcomes.js';
import { copyActual, copyClaim, copyKeys, isCopyKey, NO_COPY } from './copy-claims.js';
import { credentialLeaks, describeLeak, type CredentialLeak } from './credential-leaks.js';
import { believedReplyFailures } from './believed-replies.js';
import type { TlsRptRun } from '../tlsrpt/tlsrpt-run.js';
import { tlsRptExpectations, tlsRptPart } from './tlsrpt-expectations.js';
import { dsnExpectations, type JudgedDsn } from './dsn-expectations.js';

export type { MessageReport } from './judge-message.js';

/** One link, over all messages. */
export interface LinkReport {
  link: string;
  from: string;
  to: string;
  /** The verdict if every message got the same one, else the least secure of them. */
  verdict: LinkVerdictName;
  version?: string;
  cipher?: string;
  /** Messages carried on a resumed TLS session on this link (docs/behaviour.md#B-resumption); absent when none was. */
  resumed?: number;
  /** SMTP sessions opened on this link, all messages and attempts together (a real engine's or an external server's: the connections the wire saw). */
  attempts: number;
  witnesses: Witnesses;
  disagreement?: string;
  notes: string[];
  /** For a sender that routes by MX: the policy in force on the link (of the message that decided the verdict). */
  policy?: MessageReport['links'][number]['policy'];
  /** For a sender that routes by MX: every failure on the link, each with its RFC 8460 result type, once. */
  failures?: NonNullable<MessageReport['links'][number]['failures']>;
  /** SMTP AUTH credentials the wire saw cross this link in clear (credential-leaks.ts): always a failure. Absent when none did. */
  credentialsInClear?: CredentialLeak[];
}

/** One distinct answer of the run's DNS, e.g. partner.test MX answered with AD: `10 mx.mailhop.test`. */
export interface DnsAnswer {
  name: string;
  type: string;
  /** `answer`, `nxdomain`, `servfail`, `refused`, `timeout`. */
  outcome: string;
  /** Validated by DNSSEC (the AD bit). */
  ad: boolean;
  answers: string[];
}

/** One distinct MTA-STS policy discovery of the run (mta/sts-policy.ts): the domain, the fetch if one was made, what it decided. */
export interface StsDiscovery {
  domain: string;
  fetch?: MtaStsEvent['fetch'];
  /** The policy that applied after it; absent: none. */
  policy?: MtaStsEvent['policy'];
  decision: string;
  /** RFC 8460 result type of a failed fetch. */
  failure?: TlsFailureType;
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
  /** SMTP sessions opened in the whole run: the sum of the links' `attempts`, every sender's (a real engine's too). */
  attempts: number;
  expectations: Expectation[];
  /** Why the scenario failed, one sentence each (empty when it passed). */
  failures: string[];
  dsns: Array<{ messageId: string; hop: string; to: string; reply: { code: number; enhanced?: string; text: string } }>;
  /**
   * The distinct answers of the run's DNS that the senders looked up (a scenario with `dns:`), in order of first
   * lookup: what the policies on the links were decided from.
   */
  dns?: DnsAnswer[];
  /** The distinct MTA-STS discoveries of a sender with `mtaSts: honor`, in order of first: fetches and the policies they gave. */
  mtaSts?: StsDiscovery[];
  /**
   * Per delivered message and link: what the final mailbox's trusted Received headers make a recipient believe
   * (`tls`, `plain`, `unknown`) against what happened (header-reconstruction.ts; docs/behaviour.md#E-headers-agree).
   * Absent only in a report made without a run (a chain that failed to start).
   */
  headers?: HeaderAccount[];
  /** The TLS-RPT reports of the run's reporting hops and how each left (RFC 8460); absent when no hop reports. */
  tlsRpt?: TlsRptRun;
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
  // A copy's claim is keyed by its path in the YAML, `destinations.<domain>.<outcome|endToEnd>` (copy-claims.ts).
  const actualOf = (m: MessageReport, key: string) =>
    key === 'outcome' ? m.outcome : key === 'endToEnd' ? m.endToEnd : isCopyKey(key) ? copyActual(m, key) : (m.links[linkNames.indexOf(key)]?.verdict ?? 'none');
  const claimOf = (e: Expect | undefined, key: string): string | undefined =>
    key === 'outcome' ? e?.outcome : key === 'endToEnd' ? e?.endToEnd : isCopyKey(key) ? copyClaim(e, key) : e?.links?.[key];
  const keys = ['outcome', ...linkNames, 'endToEnd', ...copyKeys([scenario.expect, ...scenario.messages.map((m) => m.expect)])];
  const out: Expectation[] = [];
  for (const key of keys) {
    const expected = claimOf(scenario.expect, key);
    if (expected !== undefined) {
      // A scenario-wide claim on a copy concerns the messages that have a copy to that domain.
      const concerned = messages.filter((m) => claimOf(own(m), key) === undefined && (!isCopyKey(key) || copyActual(m, key) !== NO_COPY));
      const values = concerned.map((m) => ({ id: m.messageId, value: actualOf(m, key) }));
      // Every message overriding the claim leaves nothing to check scenario-wide; an empty run still fails it.
      if (values.length || messages.every((m) => claimOf(own(m), key) === undefined)) {
        out.push({ key, expected, actual: values.length || !isCopyKey(key) ? describe(values) : NO_COPY, held: values.length > 0 && values.every((v) => v.value === expected) });
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

/** How often judging gives the event loop a turn ({@link judgeScenarioAsync}): every so many events indexed, messages judged. */
const EVENTS_PER_TURN = 20_000;
const MESSAGES_PER_TURN = 500;

function uniformOr<T extends string>(values: T[]): T | 'mixed' {
  return values.every((v) => v === values[0]) ? values[0] : 'mixed';
}

function describe(values: Array<{ id: string; value: string }>): string {
  const distinct = new Set(values.map((v) => v.value));
  return distinct.size === 1 ? values[0].value : values.map((v) => `${v.id}: ${v.value}`).join(', ');
}

/**
 * Verdicts of messages whose events left the trace (a chain with `keepFinished`, final-verdicts.ts):
 * the report takes them as they were judged when their outcome became final.
 */
export interface FinishedMessages {
  /** The report of a forgotten message, or undefined for one still in the trace. */
  report(messageId: string): MessageReport | undefined;
  /** The header accounts of their deliveries to the final mailbox, each with its `accepted` event's `seq`, in trace order. */
  headers(): Iterable<{ seq: number; accounts: HeaderAccount[] }>;
}

/** What a report needs besides the trace. */
export interface JudgeContext {
  file?: string;
  /** Messages still queued when the run stopped, with the hop holding each (and the copy's destination, split per domain). */
  held: ReadonlyArray<HeldCopy>;
  dsns: ScenarioReport['dsns'];
  /** Accounting problems counted as the run went (a chain with `traceLimit` or `keepFinished`); default: checked over the trace. */
  accounting?: AccountingProblem[];
  /** Messages already judged and forgotten by the index (only with an index, not with events). */
  finished?: FinishedMessages;
  /**
   * The run's TLS-RPT reports (tlsrpt/send-reports.ts), `mailIds` the ids of the report mail, which is judged apart
   * from the scenario's messages; `day0` the UTC date of virtual 0 (`YYYY-MM-DD`), which `expect.tlsRpt` days count from.
   */
  tlsRpt?: TlsRptRun & { mailIds: ReadonlySet<string>; day0: string };
}

/**
 * Judges a scenario run: a pure function of the scenario and its trace, O(events + messages × links).
 * Blocks until done; {@link judgeScenarioAsync} gives the event loop turns on the way.
 * @param events the trace in order, or an index of it (then `context.accounting` must be given).
 */
export function judgeScenario(scenario: Scenario, events: readonly TraceEvent[] | TraceIndex, context: JudgeContext): ScenarioReport {
  const steps = judging(scenario, events, context);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * As {@link judgeScenario}, with a turn of the event loop (`setImmediate`) every 20,000 events indexed
 * and every 500 messages judged, so that signals and I/O are handled while a large run is judged.
 * @throws the signal's reason when `signal` aborts (checked at every turn).
 */
export async function judgeScenarioAsync(
  scenario: Scenario,
  events: readonly TraceEvent[] | TraceIndex,
  context: JudgeContext,
  options: { signal?: AbortSignal } = {},
): Promise<ScenarioReport> {
  options.signal?.throwIfAborted();
  const steps = judging(scenario, events, context);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
  }
}

/** The judging itself, pausing (`yield`) where the async entry gives the event loop a turn. */
function* judging(scenario: Scenario, events: readonly TraceEvent[] | TraceIndex, context: JudgeContext): Generator<void, ScenarioReport> {
  const hopIds = scenario.hops.map((h) => h.id);
  const topology = chainTopology(scenario.hops, scenario.dns);
  const linkNames = topology.links.map((l) => l.name);
  const routes = mxRoutesOf(scenario);
  let index: TraceIndex;
  let tally: AccountingTally | undefined;
  if (events instanceof TraceIndex) index = events;
  else {
    // One pass: the index, and the accounting unless the run counted it already.
    index = new TraceIndex();
    if (!context.accounting) tally = new AccountingTally();
    for (let i = 0; i < events.length; i++) {
      index.add(events[i]);
      tally?.observe(events[i]);
      if ((i + 1) % EVENTS_PER_TURN === 0) yield;
    }
  }
  const heldBy = new Map<string, string>();
  for (const h of context.held) if (!heldBy.has(h.messageId)) heldBy.set(h.messageId, h.hop);

  // The messages the client sent, and mail sent by hand (`mailhop up`): whatever a hop accepted, in order of first appearance.
  const messages: MessageReport[] = [];
  const reportMail = context.tlsRpt?.mailIds ?? new Set<string>();
  for (const id of index.messageIds()) {
    if (reportMail.has(id)) continue; // TLS-RPT report mail: judged with its report, below
    messages.push(context.finished?.report(id) ?? judgeMessage(index, linkNames, id, heldBy.get(id), routes));
    if (messages.length % MESSAGES_PER_TURN === 0) yield;
  }

  const links: LinkReport[] = linkNames.map((link, i) => {
    const verdict = leastSecure(messages.map((m) => m.links[i].verdict));
    const per = messages.map((m) => m.links[i]);
    const sample = per.find((p) => p.verdict === verdict);
    const [from, to] = link.split('->');
    const disagreeing = per.find((p) => p.disagreement);
    const policy = (sample ?? per.find((p) => p.policy))?.policy;
    const failures = [...new Map(per.flatMap((p) => p.failures ?? []).map((f) => [`${f.type}\0${f.detail}`, { type: f.type, detail: f.detail }])).values()];
    const resumed = per.filter((p) => p.resumed).length;
    const leaks = credentialLeaks(index, link);
    return {
      link, from, to, verdict,
      ...(sample?.version ? { version: sample.version, cipher: sample.cipher } : {}),
      ...(resumed ? { resumed } : {}),
      attempts: senderWitness(index, link).sessions(),
      witnesses: sample?.witnesses ?? {},
      ...(disagreeing ? { disagreement: disagreeing.disagreement } : {}),
      notes: [
        ...new Set(per.flatMap((p) => p.notes.map((n) => (messages.length > 1 ? `${p.messageId} ${n}` : n)))),
        ...leaks.map((l) => `LEAK: credentials crossed in clear: ${describeLeak(l)}`),
      ],
      ...(leaks.length > 0 ? { credentialsInClear: leaks } : {}),
      ...(policy ? { policy } : {}),
      ...(failures.length ? { failures } : {}),
    };
  });
  yield;

  const tlsRpt = context.tlsRpt ? tlsRptPart(context.tlsRpt, (id) => judgeMessage(index, linkNames, id, heldBy.get(id), routes).outcome) : undefined;
  const expectations = [
    ...expectationsOf(scenario, messages, linkNames),
    ...dsnExpectations(scenario, context.dsns as JudgedDsn[]),
    ...tlsRptExpectations(scenario.expect?.tlsRpt, tlsRpt, context.tlsRpt?.day0),
  ];
  const failures = expectations.filter((e) => !e.held).map((e) => `expected ${e.messageId ? `${e.messageId} ` : ''}${e.key} ${e.expected}, got ${e.actual}`);
  for (const m of messages) {
    for (const l of m.links.filter((x) => x.leak)) {
      failures.push(`${m.messageId} leaked on ${l.link}: ${l.requireTlsLeak ?? 'content crossed in clear where the policy in force required TLS'}`);
    }
  }

  // Credentials in clear and replies believed that no TLS protected: failures whatever `expect` says.
  failures.push(...links.flatMap((l) => (l.credentialsInClear ?? []).map((leak) => `credentials crossed in clear on ${l.link}: ${describeLeak(leak)}`)), ...believedReplyFailures(messages));

  const accounting = context.accounting ?? tally?.problems(context.held, topology.mailboxes.join(' or ')) ?? [];
  failures.push(...accounting.map((p) => `accounting: ${p}`));
  yield;

  return {
    name: scenario.name,
    ...(context.file ? { file: context.file } : {}),
    passed: failures.length === 0,
    outcome: uniformOr(messages.map((m) => m.outcome)),
    endToEnd: uniformOr(messages.map((m) => m.endToEnd)),
    links,
    messages,
    attempts: links.reduce((sum, l) => sum + l.attempts, 0),
    expectations,
    failures,
    dsns: context.dsns,
    ...(scenario.dns ? { dns: distinctAnswers(index) } : {}),
    ...(index.allStsSteps().length ? { mtaSts: distinctDiscoveries(index) } : {}),
    headers: yield* headersOf(index, topology.mailboxes.map((m) => topology.pathTo(m)), linkNames, messages, context.finished, reportMail),
    ...(tlsRpt ? { tlsRpt } : {}),
  };
}

/**
 * The header accounts of every delivery to a final mailbox, in trace order (mailbox by mailbox), forgotten messages'
 * included. `paths`: per mailbox, the hops from the first to it (one path in a chain without MX routing).
 */
function* headersOf(
  index: TraceIndex,
  paths: ReadonlyArray<readonly string[]>,
  linkNames: readonly string[],
  messages: readonly MessageReport[],
  finished: FinishedMessages | undefined,
  skip: ReadonlySet<string> = new Set(),
): Generator<void, HeaderAccount[]> {
  const byId = new Map(messages.map((m) => [m.messageId, m]));
  const linkAt = new Map(linkNames.map((l, i) => [l, i]));
  const verdictOf = (id: string, link: string) => byId.get(id)?.links[linkAt.get(link) ?? -1]?.verdict;
  const kept = [...(finished?.headers() ?? [])];
  const out: HeaderAccount[] = [];
  let k = 0;
  for (const path of paths) {
    const hops = knownHops(index, path);
    for (const [n, delivery] of index.receivedAt(path.at(-1)!).entries()) {
      for (; k < kept.length && kept[k].seq < delivery.seq; k++) out.push(...kept[k].accounts);
      if (!skip.has(delivery.messageId)) out.push(...headerAccountsOf(delivery, hops, verdictOf));
      if ((n + 1) % MESSAGES_PER_TURN === 0) yield;
    }
  }
  for (; k < kept.length; k++) out.push(...kept[k].accounts);
  return out;
}

/** The distinct MTA-STS discoveries of the run (step `policy`), in order of first. */
function distinctDiscoveries(index: TraceIndex): StsDiscovery[] {
  const seen = new Map<string, StsDiscovery>();
  for (const e of index.allStsSteps().filter((s) => s.step === 'policy').sort((a, b) => a.seq - b.seq)) {
    const found: StsDiscovery = { domain: e.destination, ...(e.fetch ? { fetch: e.fetch } : {}), ...(e.policy ? { policy: e.policy } : {}), decision: e.decision, ...(e.failure ? { failure: e.failure } : {}) };
    const key = JSON.stringify(found);
    if (!seen.has(key)) seen.set(key, found);
  }
  return [...seen.values()];
}

/** The distinct DNS answers of the run, in order of first lookup. */
function distinctAnswers(index: TraceIndex): DnsAnswer[] {
  const seen = new Map<string, DnsAnswer>();
  for (const e of index.allDnsLookups().sort((a, b) => a.seq - b.seq)) {
    const answer = { name: e.name, type: e.type, outcome: e.outcome, ad: e.ad, answers: e.answers };
    const key = JSON.stringify(answer);
    if (!seen.has(key)) seen.set(key, answer);
  }
  return [...seen.values()];
}
