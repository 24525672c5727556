/**
 * The evidence behind one message's verdict on one link, as lines of text: every SMTP session the
 * sender opened for it (attempt, connection, policy, STARTTLS, TLS, result), the transcript of the
 * deciding attempt with the lines that settle the TLS question, and what the wire saw. Pure: trace
 * in, text out. Used by the vitest matchers' failure messages and by `mailhop explain`.
 */
import type { SessionEvent, TraceEvent, WireEvent } from '../trace/events.js';
import type { WireRecord } from '../link/wire-record.js';
import type { TranscriptLine } from '../mta/smtp-client.js';

/** Sender sessions of one message on one link, in recorded order. */
export function sessionsOf(events: readonly TraceEvent[], link: string, messageId: string): SessionEvent[] {
  return events.filter((e): e is SessionEvent => e.kind === 'session' && e.link === link && e.messageId === messageId);
}

/** The wire record of the TCP connection a session used (matched by the sender's local port). */
export function wireOf(events: readonly TraceEvent[], session: SessionEvent): WireRecord | undefined {
  return events.find((e): e is WireEvent => e.kind === 'wire' && e.link === session.link && e.record.clientPort === session.localPort)?.record;
}

/** `attempt 2` or `attempt 1, connection 2`. */
export function attemptName(s: SessionEvent): string {
  return `attempt ${s.attempt}${s.connection > 1 ? `, connection ${s.connection}` : ''}`;
}

/**
 * The policy a session ran under, named with where it came from when DNS decided it (RFC 7672 DANE, RFC 8461
 * MTA-STS): `mandatory (DANE)`, `verify (MTA-STS enforce)`; else the policy alone, e.g. `opportunistic`.
 */
export function sessionPolicyName(s: SessionEvent): string {
  if (s.tlsPolicy?.source === 'dane') return `${s.policy} (DANE)`;
  if (s.tlsPolicy?.source === 'mta-sts') return `${s.policy} (MTA-STS${s.tlsPolicy.stsMode ? ` ${s.tlsPolicy.stsMode}` : ''})`;
  return s.policy;
}

/** One line summing up a session: policy, STARTTLS, TLS, result. */
export function sessionSummary(s: SessionEvent): string {
  const parts = [`policy ${sessionPolicyName(s)}`];
  if (s.plaintextRetry) parts.push('plaintext retry (STARTTLS skipped on purpose)');
  else if (s.starttlsAdvertised === null) parts.push('no EHLO reply');
  else if (!s.starttlsAdvertised && !s.starttlsSent) parts.push('STARTTLS not advertised');
  else if (!s.starttlsSent) parts.push(`STARTTLS advertised, not used (${s.policyReason ?? `policy ${s.policy}`})`);
  else parts.push(`STARTTLS sent${s.starttlsReply ? ` -> ${s.starttlsReply.text}` : ''}`);
  if (s.tls) parts.push(`TLS ${s.tls.version} ${s.tls.cipher}${certificateWords(s)}`);
  // The reply usually quotes the failure's detail already; then the RFC 8460 type is enough.
  if (s.tlsFailure) parts.push(s.reply.text.includes(s.tlsFailure.detail) ? s.tlsFailure.type : `${s.tlsFailure.type} (${s.tlsFailure.detail})`);
  if (s.contentSent) parts.push(`content sent ${s.contentSent.encrypted ? 'encrypted' : 'in clear'}`);
  parts.push(`${s.result}: ${s.reply.text}`);
  return parts.join(' · ');
}

/** What the wire witness saw on one connection, in one line (facts, not a verdict). */
export function wireSummary(record: WireRecord): string {
  const parts: string[] = [];
  if (record.implicitTls) parts.push('implicit TLS from the first byte');
  if (record.handshake === 'none' && !record.implicitTls) parts.push('no TLS handshake');
  if (record.handshake === 'established') parts.push(`TLS handshake established${record.tls ? ` (${record.tls.version} ${record.tls.cipher}${record.tls.nullCipher ? ', eNULL: not encrypted' : ''}${record.resumed ? ', session resumed' : ''})` : ''}`);
  else if (record.resumed) parts.push('session resumed');
  if (record.handshake === 'failed') parts.push(`TLS handshake failed (${record.handshakeFailure ?? 'no reason recorded'})`);
  if (record.handshake === 'started') parts.push('TLS handshake started, outcome unknown');
  if (record.plaintextData) {
    const ids = record.plaintextMessageIds.length ? `${record.plaintextMessageIds.join(', ')}, ` : '';
    parts.push(`message content in clear (${ids}${record.plaintextDataBytes} bytes)`);
  }
  if (record.upstreamError) parts.push(`could not reach the hop (${record.upstreamError.code ?? record.upstreamError.message})`);
  for (const f of record.faults) parts.push(`fault ${f.fault}: ${f.note ?? `${f.action} ${f.dir}${f.detail ? ` ${f.detail.split('\n')[0].slice(0, 60)}` : ''}`}`);
  return `wire ${record.id}: ${parts.join('; ')}`;
}

const CAPABILITY = /^250[- ]/;

/**
 * The lines of a transcript that matter for TLS: every command and reply, except that each EHLO
 * reply keeps only its first line and its STARTTLS line (the other capabilities become one
 * `… n more EHLO lines` line, which says when STARTTLS was absent).
 */
export function keyTranscriptLines(transcript: readonly TranscriptLine[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < transcript.length; i++) {
    const line = transcript[i];
    // `[TLS handshake]` is always followed by its outcome, which says more.
    if (line.dir === '*' && line.text === 'TLS handshake' && transcript[i + 1]?.dir === '*') continue;
    out.push(formatLine(line));
    if (line.dir !== 'S' || !line.text.startsWith('250-') || transcript[i - 1]?.text.startsWith('EHLO') !== true) continue;
    // An EHLO reply: collapse its capability lines.
    let j = i + 1;
    let starttls = false;
    let skipped = 0;
    while (j < transcript.length && transcript[j].dir === 'S' && CAPABILITY.test(transcript[j].text)) {
      if (/^250[- ]STARTTLS\b/i.test(transcript[j].text)) {
        starttls = true;
        out.push(formatLine(transcript[j]));
      } else skipped++;
      const last = transcript[j].text.startsWith('250 ');
      j++;
      if (last) break;
    }
    if (skipped) out.push(`S: … ${skipped} more EHLO line${skipped === 1 ? '' : 's'}${starttls ? '' : ', no STARTTLS'}`);
    i = j - 1;
  }
  return out;
}

/** `C: EHLO x`, `S: 220 y`, and local notes (TLS handshake results) in brackets. */
export function formatLine(line: TranscriptLine): string {
  return line.dir === '*' ? `   [${line.text}]` : `${line.dir}: ${line.text}`;
}

/** Options of {@link linkEvidence}. */
export interface EvidenceOptions {
  /** Session summary lines shown before the rest are counted (default 6). */
  maxSessions?: number;
  /** Indent of every line (default two spaces). */
  indent?: string;
}

/**
 * The evidence for one message on one link: a summary line per session, then the transcript of
 * every connection of the deciding attempt (the one that relayed it, else the last) and the wire's
 * account of it. Empty when the sender opened no session for it on this link.
 */
export function linkEvidence(events: readonly TraceEvent[], link: string, messageId: string, options: EvidenceOptions = {}): string[] {
  const sessions = sessionsOf(events, link, messageId);
  if (sessions.length === 0) return [];
  const indent = options.indent ?? '  ';
  const max = options.maxSessions ?? 6;
  const out: string[] = [];
  const groups = groupRepeats(sessions);
  for (const g of groups.slice(0, max)) out.push(`${indent}${g.name}: ${g.summary}`);
  const rest = groups.slice(max).reduce((n, g) => n + g.count, 0);
  if (rest) out.push(`${indent}… ${rest} more session${rest === 1 ? '' : 's'} (last: ${attemptName(sessions.at(-1)!)}: ${sessions.at(-1)!.result})`);
  const deciding = sessions.find((s) => s.result === 'relayed') ?? sessions.at(-1)!;
  const [from, to] = link.split('->');
  for (const s of sessions.filter((x) => x.attempt === deciding.attempt)) {
    out.push(`${indent}transcript of ${attemptName(s)} (${from} -> ${to}), as ${s.hop} saw it:`);
    for (const line of keyTranscriptLines(s.transcript)) out.push(`${indent}  ${line}`);
    const wire = wireOf(events, s);
    if (wire) out.push(`${indent}${wireSummary(wire)}`);
  }
  return out;
}

/** Consecutive first connections of successive attempts that went the same way, as one line. */
function groupRepeats(sessions: readonly SessionEvent[]): Array<{ name: string; summary: string; count: number }> {
  const groups: Array<{ first: SessionEvent; last: SessionEvent; summary: string; count: number }> = [];
  for (const s of sessions) {
    const summary = sessionSummary(s);
    const g = groups.at(-1);
    if (g && s.connection === 1 && g.last.connection === 1 && g.summary === summary && s.attempt === g.last.attempt + 1) {
      g.last = s;
      g.count++;
    } else groups.push({ first: s, last: s, summary, count: 1 });
  }
  return groups.map((g) => ({
    name: g.count === 1 ? attemptName(g.first) : `attempts ${g.first.attempt}–${g.last.attempt}`,
    summary: g.summary,
    count: g.count,
  }));
}

/**
 * What the session's certificate check meant: only a `verify` policy enforces it (RFC 7435 §3), so
 * a valid certificate under an opportunistic or mandatory policy is said to be not enforced. Under DANE
 * with usable TLSA records (RFC 7672 §3) the TLSA match is the check that is enforced, whatever the PKIX
 * result: `, certificate matched TLSA 3 1 1 5a0c… (enforced by DANE)` or `, certificate matched no TLSA
 * record (enforced by DANE)`.
 */
export function certificateWords(s: SessionEvent): string {
  if (!s.tls) return '';
  // A resumed session showed no certificate: its facts are the full handshake's that established it (B-resumption).
  const resumed = s.tls.resumed ? ', session resumed' : '';
  const of = s.tls.resumed ? ' when the session was established' : '';
  if (s.tlsPolicy?.source === 'dane' && s.tlsPolicy.authenticates) {
    // The policy word is `mandatory`, but the session was held to the TLSA records, not left unchecked.
    if (!s.tlsPolicy.matched) return `${resumed}, certificate matched no TLSA record${of} (enforced by DANE)`;
    // DANE-EE (usage 3) ignores the certificate's names and dates (RFC 7672 §3.1.1): a PKIX failure did not count.
    const ee = s.tlsPolicy.matched.startsWith('3 ') ? ', which DANE-EE ignores' : '';
    const pkix = s.tls.verified ? '' : `; not valid as PKIX (${s.tls.verifyError ?? 'not verified'})${ee}`;
    return `${resumed}, certificate matched TLSA ${s.tlsPolicy.matched}${of} (enforced by DANE)${pkix}`;
  }
  if (s.tls.verified) return `${resumed}${s.policy === 'verify' ? `, certificate verified${of} (enforced)` : `, certificate valid${of} (not enforced)`}`;
  return s.tls.verifyError ? `${resumed}, certificate not valid${of} (${s.tls.verifyError})${s.policy === 'verify' ? '' : ', not enforced'}` : resumed;
}
