/**
 * One message of a running chain as the web view and its JSON API show it (`/api/messages`): where it
 * is, how it came in, and its verdict on every link from there on. Pure: the report (verdict/'s
 * judgement of the trace so far), the trace and the mailbox in, plain data out. Mail sent by hand has
 * no sender witness on the link it came in on (the first, or a later hop's when sent there), so that
 * link shows what the receiving hop saw instead of a verdict, links before it are left out, and the end
 * to end verdict covers the links mailhop relayed: as `mailhop up` prints it.
 */
import type { EndToEndName, LinkVerdictName, OutcomeName, Scenario } from '../scenario/schema.js';
import type { DeferredEvent, SessionEvent, TraceEvent } from '../trace/events.js';
import type { MailboxMessage } from '../chain/chain.js';
import type { MessageReport } from '../verdict/judge-scenario.js';
import type { MessageLinkVerdict } from '../verdict/link-verdict.js';
import type { TraceIndex } from '../verdict/trace-index.js';
import { endToEndVerdict } from '../verdict/end-to-end.js';
import { mxRoutesOf } from '../verdict/destination-outcomes.js';
import type { HandEntry } from './hand-entry.js';

/**
 * Where a message is: `in-flight` (on its way), `deferred` (waiting for a retry on the virtual clock),
 * `delivered` (in the final mailbox), `bounced` (given up, DSN sent), `held` (still queued when its
 * `runFor` was used up), `mixed` (a message split per recipient domain whose copies are not all in one of these;
 * see `destinations`).
 */
export type MessageStatus = 'in-flight' | 'deferred' | 'delivered' | 'bounced' | 'held' | 'mixed';

/** One copy of a message that a hop routing by MX split per recipient domain (RFC 5321 §5.1). */
export interface CopyView {
  destination: string;
  outcome: OutcomeName;
  endToEnd: EndToEndName;
  /** For a copy not delivered: the hop holding it (or that bounced it) and the last reply. */
  stoppedAt?: MessageReport['stoppedAt'];
  /** The links past the routing hop this copy crossed or tried, judged for this copy alone. */
  links: MessageLinkView[];
}

/** One link of one message: its verdict, or (the link mail sent by hand came in on) what the receiver saw. */
export interface MessageLinkView {
  link: string;
  /** The verdict (verdict/link-verdict.ts); absent on the link mail sent by hand came in on. */
  verdict?: LinkVerdictName;
  /** On the link mail sent by hand came in on: `tls` or `plain` as the receiving hop got it. */
  received?: 'tls' | 'plain';
  /** TLS version and cipher, when the content crossed inside TLS. */
  version?: string;
  cipher?: string;
  /** Set when the witnesses disagree, saying how. */
  disagreement?: string;
}

/** One message in the list (`GET /api/messages`, and each `message` server-sent event). */
export interface MessageSummary {
  id: string;
  status: MessageStatus;
  /**
   * The verdicts are final: the chain settled after the message was delivered, bounced or held (its wire
   * records are in). Before that they are the verdicts so far.
   */
  final: boolean;
  /** Envelope sender and recipients, and the Subject header, as far as the trace and the mailbox tell. */
  from?: string;
  to?: string[];
  subject?: string;
  /** For mail sent by hand: the link it came in on and the hop that received it. */
  entry?: { link: string; hop: string };
  /** The links from where the message came in to the final mailbox, in chain order. */
  links: MessageLinkView[];
  /** End to end over the links mailhop relayed it on (README: Verdicts); `mixed` for a split message whose copies differ. */
  endToEnd: EndToEndName | 'mixed';
  /** For a message not delivered: the hop holding it (or that bounced it) and the last reply. */
  stoppedAt?: MessageReport['stoppedAt'];
  /** A message a hop routing by MX split per recipient domain: each copy's own outcome and links. */
  destinations?: CopyView[];
  /** The last deferral: which hop, which attempt, the reply, and when the next attempt is due (virtual ms). */
  deferred?: { hop: string; attempt: number; reply: string; nextAttemptAt: number };
}

/** Everything a message view is made from: the report so far, the indexed trace, the chain's scenario. */
export interface ViewSources {
  scenario: Scenario;
  events: readonly TraceEvent[];
  indexed: TraceIndex;
  mailbox: readonly MailboxMessage[];
  /** Messages the chain has settled since they finished (delivered, bounced or held). */
  settled: ReadonlySet<string>;
}

function linkView(l: MessageLinkVerdict): MessageLinkView {
  return {
    link: l.link,
    verdict: l.verdict,
    ...(l.version ? { version: l.version, cipher: l.cipher } : {}),
    ...(l.disagreement ? { disagreement: l.disagreement } : {}),
  };
}

/** How the content of mail sent by hand crossed the link it came in on (hand-entry.ts). */
function entryView(entry: HandEntry): MessageLinkView {
  const tls = entry.actual === 'tls' ? (entry.wire?.tls ?? entry.accepted.tls) : null;
  return { link: entry.link, received: entry.actual, ...(tls ? { version: tls.version, cipher: tls.cipher } : {}) };
}

const SUBJECT = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im;

/** The Subject header of a raw message (unfolded, as written: encoded words are left as they are). */
function subjectOf(raw: Buffer): string | undefined {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('utf8').split(/\r?\n\r?\n/)[0];
  return head.match(SUBJECT)?.[1].replace(/\r?\n[ \t]+/g, ' ');
}

/**
 * Envelope from the first sender transcript that carried the message (all its recipients, before any hop split it
 * per destination) and from the final mailboxes (every copy stored, one per recipient domain when split; the Subject).
 */
function envelopeOf(id: string, own: readonly TraceEvent[], mailbox: readonly MailboxMessage[]): Pick<MessageSummary, 'from' | 'to' | 'subject'> {
  const stored = mailbox.filter((m) => m.id === id);
  const session = own.find((e): e is SessionEvent => e.kind === 'session' && e.transcript.some((l) => l.dir === 'C' && /^MAIL FROM:/i.test(l.text)));
  const address = (line: string | undefined) => line?.match(/<([^>]*)>/)?.[1];
  const sent = session?.transcript.filter((l) => l.dir === 'C' && /^RCPT TO:/i.test(l.text)).map((l) => address(l.text)).filter((a): a is string => a !== undefined) ?? [];
  const from = stored[0]?.from ?? address(session?.transcript.find((l) => l.dir === 'C' && /^MAIL FROM:/i.test(l.text))?.text);
  const to = [...new Set([...sent, ...stored.flatMap((m) => m.to)])];
  const subject = stored[0] ? subjectOf(stored[0].raw) : undefined;
  return { ...(from !== undefined ? { from } : {}), ...(to.length ? { to } : {}), ...(subject ? { subject } : {}) };
}

function statusOf(own: readonly TraceEvent[], settled: boolean, copies?: MessageReport['destinations']): MessageStatus {
  if (copies ? copies.every((c) => c.outcome === 'delivered') : own.some((e) => e.kind === 'delivered')) return 'delivered';
  if (own.some((e) => e.kind === 'bounced')) return 'bounced';
  if (settled) return 'held';
  return own.some((e) => e.kind === 'deferred') ? 'deferred' : 'in-flight';
}

/** The summary of one message of the report; `entry`: where it came in, when it was sent by hand. */
export function messageSummary(report: MessageReport, sources: ViewSources, entry: HandEntry | undefined): MessageSummary {
  const id = report.messageId;
  const own = sources.indexed.own(id);
  const copies = report.destinations;
  // A split message is delivered only when every copy is; copies that fared differently make it mixed.
  const status = copies && report.outcome !== 'delivered' && report.outcome === 'mixed' ? 'mixed' : statusOf(own, sources.settled.has(id), copies);
  const lastDefer = own.filter((e): e is DeferredEvent => e.kind === 'deferred').at(-1);
  const judged = entry ? report.links.slice(entry.index + 1) : report.links;
  const router = copies ? mxRoutesOf(sources.scenario)?.router : undefined;
  return {
    id,
    status,
    final: sources.settled.has(id),
    ...envelopeOf(id, own, sources.mailbox),
    ...(entry ? { entry: { link: entry.link, hop: entry.accepted.hop } } : {}),
    links: [...(entry ? [entryView(entry)] : []), ...judged.map(linkView)],
    // A split message's end to end is its copies' (each over the links it crossed; the entry link has no verdict).
    endToEnd: entry && !copies ? endToEndVerdict(judged, status === 'delivered') : report.endToEnd,
    ...(copies
      ? {
          destinations: copies.map((c) => ({
            destination: c.destination, outcome: c.outcome, endToEnd: c.endToEnd, ...(c.stoppedAt ? { stoppedAt: c.stoppedAt } : {}),
            links: c.links.filter((l) => router !== undefined && l.link.startsWith(`${router}->`)).map(linkView),
          })),
        }
      : {}),
    ...(report.stoppedAt && status !== 'delivered' ? { stoppedAt: report.stoppedAt } : {}),
    ...(lastDefer ? { deferred: { hop: lastDefer.hop, attempt: lastDefer.attempt, reply: lastDefer.reply.text, nextAttemptAt: lastDefer.nextAttemptAt } } : {}),
  };
}
