/**
 * The "what the headers say" part of the HTML report: per delivered message, whether the Received
 * headers a recipient would read tell the truth about each link. Where they agree, one line; where
 * they do not, a table of every link with the headers' claim beside the wire's account, the
 * disagreeing rows marked, with what a recipient would get wrong and the header itself.
 * Each message is a `.headers` element with `data-message` and `data-agrees`.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { headerSummary, headerWords, type HeaderWords } from './header-words.js';
import { esc, icon } from './html-parts.js';

function disagreement(m: HeaderWords): string {
  const rows = m.links.map((l) =>
    l.agrees
      ? `<tr class="agree" data-link="${esc(l.link)}"><td>✔</td><td class="mono">${esc(l.link)}</td><td>${esc(l.said)}</td><td>${esc(l.wire)}</td></tr>`
      : `<tr class="disagree" data-link="${esc(l.link)}"><td>${icon('warning', 16, 'disagree')}</td><td class="mono">${esc(l.link)}</td><td><strong>${esc(l.said)}</strong></td><td><strong class="v-clear">${esc(l.wire)}</strong></td></tr>` +
        `<tr class="why" data-link="${esc(l.link)}"><td></td><td colspan="3">${esc(l.consequence ?? '')}` +
        `${l.header ? `<div class="received mono">Received: ${esc(l.header)}</div>` : ''}</td></tr>`,
  );
  return (
    `<div class="headers disagree" data-message="${esc(m.messageId)}" data-agrees="false">` +
    `<p class="warning">⚠ ${esc(headerSummary([m]))}:</p>` +
    `<table class="headers"><thead><tr><th></th><th>link</th><th>the headers say</th><th>the wire saw</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

/** The section body, or an empty string when no message was delivered (no headers to read). */
export function renderHeaders(report: ScenarioReport): string {
  const words = headerWords(report);
  if (words.length === 0) return '';
  const agreeing = words.filter((m) => m.agrees);
  const parts = agreeing.length
    ? [`<p class="headers agree" data-message="${esc(agreeing.map((m) => m.messageId).join(' '))}" data-agrees="true">✔ ${esc(headerSummary(agreeing))}.</p>`]
    : [];
  for (const m of words.filter((x) => !x.agrees)) parts.push(disagreement(m));
  return parts.join('\n');
}
