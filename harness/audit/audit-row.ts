/**
 * One row of an audit profile: what the target did in one battery case, read from the case's judged report
 * (verdicts from the three witnesses) and the wire records of the watched link (what crossed, connection by
 * connection). Pure: a report and a trace in, a row out.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import { watchedLink, type AuditCase } from './battery.js';

/** What the target did in one case. Lists hold one entry per message, in the order they were sent. */
export interface AuditRow {
  /** The case id (battery.ts). */
  case: string;
  /** The watched link, `target->next` or `client->target`. */
  link: string;
  /** Each message's outcome: `delivered`, `deferred` (still held when the case ended), `bounced`, `rejected`. */
  outcomes: string[];
  /** Each message's verdict on the watched link (`tls`, `tls-verified`, `plain`, `downgraded`, `stripped`, `refused`, `none`). */
  verdicts: string[];
  /** Each message's SMTP sessions (TCP connections) on the watched link. */
  sessions: number[];
  /** TLS version and cipher of the first message's deciding session, e.g. `TLSv1.3 TLS_AES_256_GCM_SHA384`. */
  tls?: string;
  /** The reply that stopped the first message not delivered (`450 4.7.0 ...`), as the target logged or sent it. */
  reply?: string;
  /** Each connection on the watched link, in order: what crossed, e.g. `#1 STARTTLS 220, TLSv1.3, data in TLS`. */
  wire: string[];
  /** The verdicts' own notes (fallbacks, faults, refusals), without repeats. */
  notes: string[];
  /** Set when the case could not run (the chain failed to start, or the target cannot take the case). */
  error?: string;
}

/** One connection as a short account: the STARTTLS exchange, the handshake, whether message content crossed in clear. */
export function wireSummary(r: WireRecord): string {
  const parts: string[] = [];
  if (r.upstreamError) parts.push(`cannot reach the server (${r.upstreamError.code ?? r.upstreamError.message})`);
  if (r.implicitTls) parts.push('implicit TLS');
  else if (r.starttlsSent) parts.push(`STARTTLS ${r.starttlsReply ? r.starttlsReply.code : 'unanswered'}`);
  else parts.push(r.starttlsAdvertised ? 'STARTTLS offered, not sent' : 'no STARTTLS offered');
  if (r.handshake === 'established') parts.push(r.tls ? `${r.tls.version}${r.tls.nullCipher ? ' eNULL' : ''}` : 'TLS');
  else if (r.handshake === 'failed') parts.push(`handshake failed (${r.handshakeFailure ?? 'unknown'})`);
  else if (r.handshake === 'started') parts.push('handshake unfinished');
  parts.push(...new Set(r.faults.filter((f) => f.effect).map((f) => `${f.fault}: ${f.action}`)));
  if (r.plaintextData) parts.push('message in clear');
  if (r.closedBy) parts.push(`closed by ${r.closedBy}${r.closeError?.code ? ` (${r.closeError.code})` : ''}`);
  return `#${r.seq} ${parts.join(', ')}`;
}

function replyText(reply: { code: number; enhanced?: string; text: string }): string {
  if (reply.text.startsWith(`${reply.code} `)) return reply.text;
  const enhanced = reply.enhanced && !reply.text.startsWith(reply.enhanced) ? `${reply.enhanced} ` : '';
  return `${reply.code} ${enhanced}${reply.text}`.trim();
}

/** The row of case `c` from its report and trace. */
export function auditRow(c: AuditCase, report: ScenarioReport, events: readonly TraceEvent[]): AuditRow {
  const link = watchedLink(c);
  const onLink = report.messages.map((m) => m.links.find((l) => l.link === link));
  // A message still held with no refusal on record shows the last session's reply (a 250): no stopping reply.
  const stopped = report.messages.map((m) => m.stoppedAt).find((s) => s && s.reply.code >= 400);
  const dsn = report.dsns.find((d) => d.hop === 'target');
  const first = onLink[0];
  const wire = events.flatMap((e) => (e.kind === 'wire' && e.record.link === link ? [e.record] : [])).sort((a, b) => a.seq - b.seq);
  const notes = [...new Set(onLink.flatMap((l) => l?.notes ?? []))];
  return {
    case: c.id,
    link,
    outcomes: report.messages.map((m) => m.outcome),
    verdicts: onLink.map((l) => l?.verdict ?? 'none'),
    sessions: onLink.map((l) => l?.sessions ?? 0),
    ...(first?.version ? { tls: `${first.version}${first.cipher ? ` ${first.cipher}` : ''}` } : {}),
    ...(stopped ? { reply: replyText(stopped.reply) } : dsn ? { reply: replyText(dsn.reply) } : {}),
    wire: wire.map(wireSummary),
    notes,
    ...(report.messages.length === 0 && report.failures.length ? { error: report.failures.join('; ') } : {}),
  };
}
