/**
 * The story of a run in plain language, for teaching, as a structure that `mailhop explain` prints as
 * text and the HTML report shows per scenario: for each message and each link who sent it under which
 * policy and why, what the receiver advertised, what STARTTLS and the handshake did, fallbacks and
 * deferrals, and the verdict with its meaning; then the end-to-end verdict and the scenario's claims.
 * Pure: scenario, report and trace in, sentences out; every verdict quoted is the report's.
 */
import { chainTopology, type LinkVerdictName, type Scenario } from '../scenario/schema.js';
import type { MessageReport, ScenarioReport } from '../verdict/judge-scenario.js';
import type { SessionEvent, TraceEvent } from '../trace/events.js';
import { formatDuration } from '../scenario/duration.js';
import { TraceIndex } from '../verdict/trace-index.js';
import { senderWitness } from '../verdict/link-verdict.js';
import { policySentence, sessionSentences } from './explain-session.js';
import { dnsAnswerWords, stsDiscoveryWords } from './dns-words.js';
import { sessionlessStory } from './explain-log.js';
import { END_TO_END_MEANING, LINK_VERDICT_MEANING, OUTCOME_MEANING } from './verdict-words.js';

/**
 * One paragraph of a link's story. `story`: what happened (one per attempt, or per group of identical
 * attempts); `disagreement`: the witnesses disagree; `leak`: content in clear where TLS was required;
 * `conclusion`: the verdict and its meaning.
 */
export interface ExplainedParagraph {
  kind: 'story' | 'disagreement' | 'leak' | 'conclusion';
  text: string;
}

/** One link as one message crossed it (or did not). */
export interface ExplainedLink {
  /** The link's name, e.g. `gateway->mailbox`. */
  link: string;
  /** `gateway → mailbox`. */
  heading: string;
  verdict: LinkVerdictName;
  paragraphs: ExplainedParagraph[];
}

/** One message's journey through the chain. */
export interface ExplainedMessage {
  messageId: string;
  /** `Message m1 (alice@org.test → bob@partner.test, "hello")`. */
  heading: string;
  links: ExplainedLink[];
  /** The end-to-end verdict and the outcome, with their meanings. */
  endToEnd: string;
}

/** The whole explanation of one run. */
export interface Explanation {
  name: string;
  file?: string;
  /** The scenario's own `description`, trimmed (absent when it has none). */
  description?: string;
  /** The chain and each hop's inbound STARTTLS mode, one sentence. */
  chain: string;
  /** Empty when no message went through the chain. */
  messages: ExplainedMessage[];
  /** `The scenario’s claims all held:` or `The scenario’s claims:`; absent without claims. */
  claimsHeading?: string;
  /** Each claim (`key: expected x, got y`), then each leak the report counts as a failure. */
  claims: Array<{ held: boolean; text: string }>;
}

/** Virtual time as `+5m` (`+0` at the start). */
const at = (ms: number) => (ms ? `+${formatDuration(ms)}` : '+0');

/** Groups consecutive attempts whose story is the same, so seven identical deferrals read as one paragraph. */
function storyGroups(scenario: Scenario, events: readonly TraceEvent[], sessions: readonly SessionEvent[]) {
  const groups: Array<{ sessions: SessionEvent[]; story: string[]; same: string; key: string }> = [];
  for (const s of sessions) {
    const story = sessionSentences(scenario, events, s);
    // Retries differ only in when the next one is due; a group's heading gives the times instead. The policy sentence
    // is told once per group from its first session, so attempts under other policy words (an MTA-STS policy fetched
    // at the first attempt and taken from the cache at the next) are another group.
    const same = story.join(' ').replace(/; next attempt at \+\S+ \(virtual time\)/, '');
    const key = `${policySentence(scenario, events, s)}\n${same}`;
    const last = groups.at(-1);
    if (last && s.connection === 1 && last.sessions.at(-1)!.connection === 1 && last.key === key) last.sessions.push(s);
    else groups.push({ sessions: [s], story, same, key });
  }
  return groups.map((g) => ({ sessions: g.sessions, story: g.sessions.length > 1 ? [g.same] : g.story }));
}

function explainLink(scenario: Scenario, events: readonly TraceEvent[], index: TraceIndex, message: MessageReport, link: string): ExplainedLink {
  const verdict = message.links.find((l) => l.link === link)!;
  const [from, to] = link.split('->');
  const explained: ExplainedLink = { link, heading: `${from} → ${to}`, verdict: verdict.verdict, paragraphs: [] };
  const say = (kind: ExplainedParagraph['kind'], text: string) => explained.paragraphs.push({ kind, text });
  // The sender's own account, whatever it is: a mock's sessions, a real engine's log lines, or nothing (external).
  const witness = senderWitness(index, link);
  const account = witness.account(message.messageId);
  const sessions = account.flatMap((s) => (s.kind === 'session' ? [s.session] : []));
  if (account.length === 0 && verdict.verdict === 'none') {
    const where = message.stoppedAt ? ` (it stopped at ${message.stoppedAt.hop})` : '';
    // A policy from DNS that kept the MX host unused (a failed TLSA lookup, DANE required) says why.
    const why = verdict.policy ? `: ${verdict.policy.words}` : '';
    say('story', `${message.messageId} never reached this link${why || where}.`);
    return explained;
  }
  if (witness.kind === 'engine' || witness.kind === 'external') {
    for (const text of sessionlessStory(witness, account, verdict)) say('story', text);
  }
  let policyTold = '';
  for (const g of storyGroups(scenario, events, sessions)) {
    const first = g.sessions[0];
    const policy = policySentence(scenario, events, first);
    const head = g.sessions.length === 1
      ? `Attempt ${first.attempt}${first.connection > 1 ? `, connection ${first.connection}` : ''}${first.at ? ` (at ${at(first.at)})` : ''}:`
      : `Attempts ${first.attempt}–${g.sessions.at(-1)!.attempt} (at ${g.sessions.map((s) => at(s.at)).join(', ')}) went the same way:`;
    const story = [policy === policyTold ? '' : policy, ...g.story].filter(Boolean);
    policyTold = policy;
    say('story', sessions.length === 1 ? story.join(' ') : `${head} ${story.join(' ')}`);
  }
  if (verdict.disagreement) say('disagreement', `⚠ The witnesses disagree: ${verdict.disagreement}.`);
  // A REQUIRETLS leak may cross over TLS (an unverified certificate, the flag dropped): its reason says which.
  if (verdict.leak) say('leak', verdict.requireTlsLeak ? `LEAK: ${verdict.requireTlsLeak}.` : 'LEAK: the content crossed in clear although the policy in force required TLS.');
  say('conclusion', `So: ${verdict.verdict}, ${LINK_VERDICT_MEANING[verdict.verdict]}.`);
  return explained;
}

/** What the run's DNS answered, as one sentence after the chain's (empty without DNS). */
function dnsSentence(report: ScenarioReport): string {
  const dns = report.dns?.length ? ` The run's DNS answered: ${report.dns.map(dnsAnswerWords).join('; ')}.` : '';
  return `${dns}${report.mtaSts?.length ? ` MTA-STS: ${report.mtaSts.map(stsDiscoveryWords).join('; ')}.` : ''}`;
}

/**
 * The chain's shape in words: `client → relay → mailbox`, or, where a hop routes by MX (RFC 5321 §5.1), the line up
 * to it and then each of its links, since it delivers to every MX host itself and never one through another:
 * `client → relay, which routes each recipient domain to its MX hosts: relay → primary, relay → backup`.
 */
export function chainWords(scenario: Scenario): string {
  const topology = chainTopology(scenario.hops, scenario.dns);
  if (!topology.router) return ['client', ...scenario.hops.map((h) => h.id)].join(' → ');
  const line = ['client', ...topology.pathTo(topology.router.hop)].join(' → ');
  return `${line}, which routes each recipient domain to its MX hosts: ${topology.router.routes.map((r) => r.replace('->', ' → ')).join(', ')}`;
}

/**
 * A message's end-to-end verdict and outcome in words; for a message split per recipient domain whose copies fared
 * differently (`mixed`), each copy's, since no one word is true of the whole message.
 */
function endToEndWords(m: MessageReport): string {
  const stop = (s: MessageReport['stoppedAt']) => (s ? ` (at ${s.hop}: ${s.reply.text})` : '');
  if (m.endToEnd !== 'mixed' && m.outcome !== 'mixed') {
    return `End to end: ${m.endToEnd}, ${END_TO_END_MEANING[m.endToEnd]}. Outcome: ${m.outcome}, ${OUTCOME_MEANING[m.outcome]}${stop(m.stoppedAt)}.`;
  }
  const copies = (m.destinations ?? []).map((d) => `${d.destination}: ${d.endToEnd}, ${END_TO_END_MEANING[d.endToEnd]}; ${d.outcome}, ${OUTCOME_MEANING[d.outcome]}${stop(d.stoppedAt)}`);
  return `End to end: ${m.endToEnd}, outcome: ${m.outcome}: its copies, one per recipient domain, fared differently. ${copies.join('. ')}.`;
}

/** Explains one run: the scenario as written, its report, and the trace the report was judged from. */
export function explainRun(scenario: Scenario, report: ScenarioReport, events: readonly TraceEvent[]): Explanation {
  const index = new TraceIndex(events);
  const messages = report.messages.map((m): ExplainedMessage => {
    const n = /^m(\d+)$/.exec(m.messageId);
    const msg = n ? scenario.messages[Number(n[1]) - 1] : undefined;
    return {
      messageId: m.messageId,
      heading: `Message ${m.messageId}${msg ? ` (${msg.from} → ${msg.to.join(', ')}, "${msg.subject}")` : ''}`,
      links: m.links.map((l) => explainLink(scenario, events, index, m, l.link)),
      endToEnd: endToEndWords(m),
    };
  });
  const claims = [
    ...report.expectations.map((e) => ({ held: e.held, text: `${e.messageId ? `${e.messageId} ` : ''}${e.key}: expected ${e.expected}, got ${e.actual}` })),
    ...report.failures.filter((x) => x.includes(' leaked on ')).map((f) => ({ held: false, text: f })),
  ];
  return {
    name: report.name,
    ...(report.file ? { file: report.file } : {}),
    ...(scenario.description?.trim() ? { description: scenario.description.trim() } : {}),
    chain: `The chain: ${chainWords(scenario)}. Each hop offers STARTTLS as its inbound mode says (${scenario.hops.map((h) => `${h.id}: ${h.inbound?.starttls ?? 'external'}`).join(', ')}), and mailhop's proxy on every link watches the wire.${dnsSentence(report)}`,
    messages,
    ...(report.expectations.length ? { claimsHeading: report.passed ? 'The scenario’s claims all held:' : 'The scenario’s claims:' } : {}),
    claims,
  };
}
