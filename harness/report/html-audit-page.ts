/**
 * `mailhop audit --html <file>`: the audit as a self-contained page (html-page.ts): the profile table with a lock
 * per verdict and what crossed the wire on each connection, the findings, and the closest presets with the cases
 * where each differs. Pure: the audit in, HTML out.
 */
import type { AuditProfile } from '../audit/run-audit.js';
import type { AuditFinding } from '../audit/findings.js';
import type { PresetDistance } from '../audit/compare-profiles.js';
import { AUDIT_CASES } from '../audit/battery.js';
import { renderPage } from './html-page.js';
import { esc, icon, LOCK_OF, verdictClass } from './html-parts.js';
import type { LinkVerdictName } from '../scenario/schema.js';

const AUDIT_CSS = `
table.audit td { vertical-align: top; padding: 4px 8px; border-bottom: 1px solid color-mix(in srgb, currentColor 15%, transparent); }
table.audit td:nth-child(-n+4) { white-space: nowrap; }
table.audit td.wire { font-family: ui-monospace, monospace; font-size: 12px; }
table.audit tr.error td { background: color-mix(in srgb, var(--clear) 8%, transparent); }
ul.findings li.risk::marker { content: "⚠ "; color: var(--clear); }
ul.findings li.note::marker { content: "· "; }`;

function verdictCell(verdicts: readonly string[]): string {
  return verdicts
    .map((v) => `<span class="${verdictClass(v)}">${v in LOCK_OF ? icon(`lock-${LOCK_OF[v as LinkVerdictName]}`, 14, v) : ''} ${esc(v)}</span>`)
    .join('<br>');
}

function profileTable(profile: AuditProfile): string {
  const title = new Map(AUDIT_CASES.map((c) => [c.id, `${c.title} (${c.standard})`]));
  const rows = profile.rows.map((r) =>
    r.error
      ? `<tr class="error" data-case="${esc(r.case)}"><td title="${esc(title.get(r.case) ?? '')}">${esc(r.case)}</td><td>${esc(r.link)}</td><td colspan="5">${esc(r.error)}</td></tr>`
      : `<tr data-case="${esc(r.case)}"><td title="${esc(title.get(r.case) ?? '')}">${esc(r.case)}</td><td>${esc(r.link)}</td><td>${esc(r.outcomes.join(', '))}</td>` +
        `<td>${verdictCell(r.verdicts)}</td><td>${esc(r.sessions.join(', '))}</td><td>${esc(r.tls ?? '-')}</td>` +
        `<td class="wire">${r.wire.map(esc).join('<br>')}${r.reply ? `<br>reply: ${esc(r.reply)}` : ''}</td></tr>`,
  );
  return `<table class="audit"><thead><tr><th>case</th><th>link</th><th>outcome</th><th>verdict</th><th>sessions</th><th>TLS</th><th>on the wire</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function findingsList(findings: readonly AuditFinding[]): string {
  if (!findings.length) return '<p>No findings.</p>';
  return `<ul class="findings">${findings.map((f) => `<li class="${f.severity}" data-finding="${esc(f.id)}">${esc(f.text)} <span class="file">(${esc(f.cases.join(', '))})</span></li>`).join('\n')}</ul>`;
}

function closestList(closest: readonly PresetDistance[]): string {
  if (!closest.length) return '';
  const items = closest.map((d) => {
    const diffs = d.differences.map((x) => `<li>${esc(x.case)}: ${esc(x.how.join('; '))}</li>`).join('');
    return `<li data-preset="${esc(d.preset)}"><strong>${esc(d.preset)}</strong>: ${d.differences.length ? `differs on ${d.differences.length} case${d.differences.length === 1 ? '' : 's'}<ul>${diffs}</ul>` : 'agrees on every case'}</li>`;
  });
  return `<h2>Closest presets</h2>\n<ol class="closest">${items.join('\n')}</ol>`;
}

/** The page of one audit. */
export function renderAuditPage(audit: { profile: AuditProfile; findings: readonly AuditFinding[]; closest: readonly PresetDistance[] }): string {
  const { profile, findings, closest } = audit;
  const body = [
    `<section class="scenario audit" data-target="${esc(profile.target)}">`,
    `<h1>mailhop audit · ${esc(profile.target)}</h1>`,
    `<p>${profile.rows.length} case${profile.rows.length === 1 ? '' : 's'}: the target relays between mailhop's client and a mock next hop; each row is one case, judged from the sender's account, the wire and the receiver.</p>`,
    profileTable(profile),
    '<h2>Findings</h2>',
    findingsList(findings),
    closestList(closest),
    '</section>',
  ];
  return renderPage({ title: `mailhop audit: ${profile.target}`, body: body.join('\n'), css: AUDIT_CSS });
}
