/**
 * The per-link part of the HTML report: for each link its attempts (one row per SMTP session the
 * sender opened) and each session's transcript, with the TLS handshake summarised in one line as
 * the sender saw it and as the wire saw it. Connections the wire saw without a sender session (a
 * fault's probe, mail sent by hand) are listed with the wire's transcript.
 */
import type { ScenarioReport, LinkReport } from '../verdict/judge-scenario.js';
import type { SessionEvent, TraceEvent, WireEvent } from '../trace/events.js';
import type { TranscriptLine } from '../mta/smtp-client.js';
import { attemptName, certificateWords, sessionPolicyName, wireSummary } from './link-evidence.js';
import { LINK_VERDICT_MEANING } from './verdict-words.js';
import { esc, icon, LOCK_OF, verdictClass } from './html-parts.js';
import { linkWarning } from './link-warning.js';

function transcriptHtml(lines: readonly TranscriptLine[]): string {
  const out: string[] = [];
  lines.forEach((line, i) => {
    // `TLS handshake` is always followed by its outcome; one line summarises the handshake.
    if (line.dir === '*' && line.text === 'TLS handshake' && lines[i + 1]?.dir === '*') return;
    if (line.dir === '*') {
      const bad = /fail|not verified|error/i.test(line.text);
      out.push(`<span class="n${bad ? ' bad' : ''}">   [${esc(line.text)}]</span>`);
    } else out.push(`<span class="${line.dir === 'C' ? 'c' : 's'}">${line.dir}: ${esc(line.text)}</span>`);
  });
  return `<pre class="transcript">${out.join('\n')}</pre>`;
}

function starttlsCell(s: SessionEvent): string {
  if (s.plaintextRetry) return 'skipped (plaintext retry)';
  if (s.starttlsAdvertised === null) return 'no EHLO reply';
  const advertised = s.starttlsAdvertised ? 'advertised' : 'not advertised';
  if (!s.starttlsSent) return `${advertised}, not sent`;
  return `${advertised}, sent → ${s.starttlsReply ? esc(s.starttlsReply.text) : 'no reply'}`;
}

function tlsCell(s: SessionEvent): string {
  if (s.tls) return `${esc(s.tls.version)} ${esc(s.tls.cipher)}${esc(certificateWords(s).replace(/^, /, ' · '))}${s.tls.nullCipher ? ' · eNULL' : ''}`;
  if (s.tlsFailure) return `<span class="v-clear">${esc(s.tlsFailure.type)}</span>`;
  return '—';
}

function sessionsTable(sessions: readonly SessionEvent[], multi: boolean): string {
  const rows = sessions.map(
    (s) =>
      `<tr>${multi ? `<td>${esc(s.messageId)}</td>` : ''}<td>${esc(attemptName(s))}</td><td>${esc(sessionPolicyName(s))}</td><td>${starttlsCell(s)}</td><td>${tlsCell(s)}</td>` +
      `<td>${s.contentSent ? (s.contentSent.encrypted ? 'encrypted' : '<span class="v-clear">in clear</span>') : '—'}</td><td>${esc(s.result)}</td><td class="mono">${esc(s.reply.text)}</td></tr>`,
  );
  return `<table class="attempts"><thead><tr>${multi ? '<th>message</th>' : ''}<th>attempt</th><th>policy</th><th>STARTTLS</th><th>TLS</th><th>content</th><th>result</th><th>reply</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One `<details>` per link: verdict, attempts, transcripts. Links that were not TLS start open. */
export function renderLinkDetails(report: ScenarioReport, events: readonly TraceEvent[], link: LinkReport): string {
  const sessions = events.filter((e): e is SessionEvent => e.kind === 'session' && e.link === link.link);
  const wires = events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === link.link).map((e) => e.record);
  const multi = report.messages.length > 1;
  const warning = linkWarning(report, events, link.link);
  const lock = LOCK_OF[link.verdict];
  const open = lock === 'open' || lock === 'refused' || Boolean(warning);
  const parts = [
    `<details class="link" data-link="${esc(link.link)}"${open ? ' open' : ''}>`,
    `<summary><span class="${verdictClass(link.verdict)}">${icon(`lock-${lock}`, 16, link.verdict)}</span> ${esc(link.link)} <span class="${verdictClass(link.verdict)}">${esc(link.verdict)}</span>` +
      `<span class="note">${link.attempts} session${link.attempts === 1 ? '' : 's'}</span>${warning ? ` ${icon('warning', 16, warning)}` : ''}</summary>`,
    `<p class="note">${esc(LINK_VERDICT_MEANING[link.verdict])}.</p>`,
  ];
  if (warning) parts.push(`<p class="warning">⚠ ${esc(warning)}</p>`);
  for (const note of link.notes) parts.push(`<p class="note">${esc(note)}</p>`);
  if (sessions.length) parts.push(sessionsTable(sessions, multi));
  for (const s of sessions) {
    const wire = wires.find((w) => w.clientPort === s.localPort);
    parts.push(
      `<div class="session"><h4>${multi ? `${esc(s.messageId)} · ` : ''}${esc(attemptName(s))}: ${esc(link.from)} → ${esc(link.to)}, as ${esc(s.hop)} saw it</h4>` +
        transcriptHtml(s.transcript) +
        (wire ? `<div class="wire">${esc(wireSummary(wire))}</div>` : '<div class="wire">the wire recorded no connection for this session</div>') +
        '</div>',
    );
  }
  const ports = new Set(sessions.map((s) => s.localPort));
  for (const w of wires.filter((x) => !ports.has(x.clientPort))) {
    parts.push(
      `<div class="session"><h4>connection ${esc(w.id)} without a sender session, as the wire saw it</h4>` +
        transcriptHtml(w.transcript.map((t) => ({ dir: t.dir, text: t.text }))) +
        `<div class="wire">${esc(wireSummary(w))}</div></div>`,
    );
  }
  parts.push('</details>');
  return parts.join('\n');
}
