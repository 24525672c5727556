/**
 * One message in full (`GET /api/messages/:id`): per link the notes behind its verdict and every
 * connection that carried it, each with its SMTP transcript, the wire's account and what link faults did;
 * the Received headers a recipient reads, set against the wire link by link (report/header-words.ts); and
 * the DSNs sent for it. Pure: wording comes from report/ (link-evidence.ts, verdict-words.ts).
 */
import type { AcceptedEvent, SessionEvent, TraceEvent } from '../trace/events.js';
import { senderWitness } from '../verdict/link-verdict.js';
import type { WireFaultEvent, WireRecord } from '../link/wire-record.js';
import type { Dsn } from '../chain/chain.js';
import type { MessageReport } from '../verdict/judge-scenario.js';
import type { HeaderLinkWords, HeaderWords } from '../report/header-words.js';
import { attemptName, formatLine, sessionSummary, wireSummary } from '../report/link-evidence.js';
import { LINK_VERDICT_MEANING } from '../report/verdict-words.js';
import type { HandEntry } from './hand-entry.js';
import type { CopyView, MessageLinkView, MessageSummary, ViewSources } from './message-view.js';

/** One TCP connection that carried (or tried to carry) the message on a link. */
export interface ConnectionView {
  /** e.g. `attempt 1 (sendmail -> gateway), as sendmail saw it`, or `connection client->sendmail#1, as the wire saw it`. */
  title: string;
  /** For a sender session: policy, STARTTLS, TLS, result in one line (link-evidence.ts). */
  summary?: string;
  /** The SMTP dialogue, a line each: `C: EHLO …`, `S: 250 …`, and local notes as `   […]`. */
  transcript: string[];
  /** What the link proxy saw on this connection, and what link faults did to it. */
  wire?: { id: string; summary: string; faults: WireFaultEvent[] };
}

/** One link of the message in full. */
export interface MessageLinkDetail extends MessageLinkView {
  /** What the verdict means (README: Verdicts), or what was received by hand. */
  meaning: string;
  /** The facts behind the verdict: fallbacks, failures, refusals, what link faults did. */
  notes: string[];
  connections: ConnectionView[];
  /** When a real engine sends on the link: the lines of its log about the message, its own account (it records no sessions). */
  senderLog?: { hop: string; engine: string; lines: string[] };
}

/** `GET /api/messages/:id`. */
export interface MessageDetail extends Omit<MessageSummary, 'links' | 'destinations'> {
  links: MessageLinkDetail[];
  /** Per link from where it came in: what its Received headers say against the wire; empty until delivered. */
  headers: HeaderLinkWords[];
  /** The Received headers as the final mailbox stored them, top-down, unfolded; empty until delivered, and for a split message (see `destinations`). */
  received: string[];
  /** A message a hop routing by MX split per recipient domain: each copy, with its own Received headers. */
  destinations?: Array<CopyView & { received: string[] }>;
  dsns: Dsn[];
}

function wireView(record: WireRecord): NonNullable<ConnectionView['wire']> {
  return { id: record.id, summary: wireSummary(record), faults: record.faults };
}

function sessionView(s: SessionEvent, wires: readonly WireRecord[]): ConnectionView {
  const [from, to] = s.link.split('->');
  const wire = wires.find((w) => w.clientPort === s.localPort);
  return {
    title: `${attemptName(s)} (${from} -> ${to}), as ${s.hop} saw it`,
    summary: sessionSummary(s),
    transcript: s.transcript.map(formatLine),
    ...(wire ? { wire: wireView(wire) } : {}),
  };
}

function entryConnection(entry: HandEntry): ConnectionView[] {
  if (!entry.wire) return [];
  return [{
    title: `connection ${entry.wire.id}, sent by hand to ${entry.accepted.hop}, as the wire saw it`,
    transcript: entry.wire.transcript.map((l) => `${l.dir}: ${l.text}`),
    wire: wireView(entry.wire),
  }];
}

/** The entry link's header words: the wire's own account of the connection, not a verdict (hand-entry.ts). */
function entryWords(words: HeaderLinkWords, entry: HandEntry): HeaderLinkWords {
  const tls = entry.wire?.tls ?? entry.accepted.tls;
  const wire = entry.actual === 'tls' ? `encrypted${tls ? ` (${tls.version} ${tls.cipher})` : ''}` : 'in clear';
  return { ...words, wire };
}

/**
 * The Received headers of the copy to `destination` as its MX host stored them: the `accepted` event on the link its
 * `delivered` event names (copies sharing an MX host are accepted there in the order they were delivered).
 */
function copyReceived(own: readonly TraceEvent[], destination: string): string[] {
  const delivered = own.filter((e) => e.kind === 'delivered');
  const mine = delivered.find((e) => 'destination' in e && e.destination === destination);
  if (!mine) return [];
  const rank = delivered.filter((e) => e.link === mine.link).indexOf(mine);
  const accepted = own.filter((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === mine.link)[rank];
  return (mine.kind === 'delivered' ? mine.received : undefined)?.headers ?? accepted?.received?.headers ?? [];
}

/**
 * The message in full. `summary`: its list entry; `words`: its header words from the report with mail sent
 * by hand put right (hand-entry.ts); `dsns`: the chain's DSNs.
 */
export function messageDetail(
  report: MessageReport,
  summary: MessageSummary,
  entry: HandEntry | undefined,
  sources: ViewSources & { wires: ReadonlyMap<string, readonly WireRecord[]>; words?: HeaderWords; dsns: readonly Dsn[] },
): MessageDetail {
  const own = sources.indexed.own(report.messageId);
  const links = summary.links.map((view): MessageLinkDetail => {
    const verdict = report.links.find((l) => l.link === view.link);
    if (entry && view.link === entry.link) {
      const how = entry.actual === 'tls' ? 'over TLS' : 'in plaintext';
      return { ...view, meaning: `sent by hand: ${entry.accepted.hop} received it ${how}; no sender witness, so no verdict`, notes: [], connections: entryConnection(entry) };
    }
    // The sender's own account, whatever runs it: a mock's sessions, a real engine's log lines, nothing from an external server.
    const witness = senderWitness(sources.indexed, view.link);
    const account = witness.account(report.messageId);
    const wires = sources.wires.get(view.link) ?? [];
    const log = account.flatMap((s) => (s.kind === 'log' ? [s.fact.line] : []));
    return {
      ...view,
      meaning: view.verdict ? LINK_VERDICT_MEANING[view.verdict] : '',
      notes: verdict?.notes ?? [],
      connections: account.flatMap((s) => (s.kind === 'session' ? [sessionView(s.session, wires)] : [])),
      ...(log.length ? { senderLog: { hop: witness.hop, engine: witness.engine!, lines: log } } : {}),
    };
  });
  const shown = new Set(summary.links.map((l) => l.link));
  const headers = (sources.words?.links ?? []).filter((w) => shown.has(w.link)).map((w) => (entry && w.link === entry.link ? entryWords(w, entry) : w));
  const last = report.links.at(-1)?.link;
  const stored = own.find((e) => e.kind === 'accepted' && e.link === last);
  const { destinations, ...rest } = summary;
  const copies = destinations?.map((c) => ({ ...c, received: copyReceived(own, c.destination) }));
  return {
    ...rest,
    links,
    headers,
    // A split message: each copy's headers are under its destination; no one copy speaks for the message.
    received: copies ? [] : stored?.kind === 'accepted' ? (stored.received?.headers ?? []) : [],
    ...(copies ? { destinations: copies } : {}),
    dsns: sources.dsns.filter((d) => d.messageId === report.messageId),
  };
}
