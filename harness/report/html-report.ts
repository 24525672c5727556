/**
 * Renders runs as one self-contained HTML page (`mailhop run --html out.html`): inline CSS and SVG,
 * no scripts, fonts, images or links to anything outside the page. Per scenario: its description, the
 * chain diagram and its legend, the explanation of what happened on each link (what `mailhop explain`
 * tells), the link table, the delivery of each message, what its Received headers claim against the
 * wire, the expectations, and per link its attempts and SMTP transcripts. Pure: runs in, HTML out;
 * every verdict shown is the report's.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { RunRecord } from './run-record.js';
import { dnsAnswerWords, linkPolicyWords, stsDiscoveryWords } from './dns-words.js';
import { renderChainDiagram, type ChainDiagram } from './html-diagram.js';
import { linkWarning } from './link-warning.js';
import { renderLinkDetails } from './html-links.js';
import { renderHeaders } from './html-headers.js';
import { renderPage } from './html-page.js';
import { renderDescription, renderExplanationHtml } from './html-explain.js';
import { explainRun } from './explanation.js';
import { esc, icon, LOCK_OF, verdictClass } from './html-parts.js';
import { END_TO_END_MEANING } from './verdict-words.js';
import { mixedCopiesWords } from './destination-lines.js';

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /** The page title (default `mailhop report`). */
  title?: string;
}

function anchor(report: ScenarioReport, i: number): string {
  return `s${i + 1}-${report.name.replace(/[^a-z0-9-]/gi, '')}`;
}

function linkTable(run: RunRecord): string {
  const rows = run.report.links.map((l) => {
    const warning = linkWarning(run.report, run.events, l.link);
    // What each witness saw of TLS on the deciding session, not a verdict: `plain` here would read as the verdict
    // `plain` (delivered in clear) on a refused link whose content never crossed.
    const seen = Object.entries(l.witnesses).map(([who, saw]) => `${who} ${saw === 'tls' ? 'TLS' : 'no TLS'}`).join(', ');
    return (
      `<tr data-link="${esc(l.link)}"><td class="mono">${esc(l.link)}</td>` +
      `<td><span class="${verdictClass(l.verdict)}">${icon(`lock-${LOCK_OF[l.verdict]}`, 16, l.verdict)} ${esc(l.verdict)}</span>${warning ? ` ${icon('warning', 16, warning)}` : ''}</td>` +
      `<td>${esc(l.version ? `${l.version}${l.resumed ? ` (${l.resumed} resumed)` : ''}` : '—')}</td><td class="mono">${esc(l.cipher ?? '—')}</td><td>${l.attempts}</td><td>${esc(seen || '—')}</td></tr>`
    );
  });
  return `<table class="links"><thead><tr><th>link</th><th>verdict</th><th>TLS</th><th>cipher</th><th>sessions</th><th>witnesses</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function messagesTable(report: ScenarioReport): string {
  const rows = report.messages.map(
    (m) =>
      `<tr><td>${esc(m.messageId)}</td><td>${esc(m.outcome)}</td><td class="${verdictClass(m.endToEnd)}">${esc(m.endToEnd)}</td>` +
      `<td>${m.stoppedAt ? `${esc(m.stoppedAt.hop)}: <span class="mono">${esc(m.stoppedAt.reply.text)}</span>` : '—'}</td></tr>`,
  );
  return `<table class="messages"><thead><tr><th>message</th><th>outcome</th><th>end to end</th><th>stopped at</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function expectationsTable(report: ScenarioReport): string {
  if (report.expectations.length === 0) return '<p class="note">No expectations: the scenario only reports.</p>';
  const rows = report.expectations.map(
    (e) => `<tr class="${e.held ? 'held' : 'broken'}"><td>${e.held ? '✔' : '<span class="v-clear">✘</span>'}</td><td class="mono">${esc(e.messageId ? `${e.messageId} ${e.key}` : e.key)}</td><td>${esc(e.expected)}</td><td>${esc(e.actual)}</td></tr>`,
  );
  return `<table class="expectations"><thead><tr><th></th><th>claim</th><th>expected</th><th>actual</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The explanation of a run that kept its scenario and ran (a skipped or failed-to-start one has nothing to tell). */
function explanation(run: RunRecord): string {
  if (!run.scenario || run.report.links.length === 0) return '';
  const x = explainRun(run.scenario, run.report, run.events);
  return `<details class="explain" open><summary>What happened, link by link</summary>\n${renderExplanationHtml(x, { description: false, claims: false })}\n</details>`;
}

/** What the run's DNS answered, and the policy that decided each link of a sender routing by MX. */
function dnsSection(report: RunRecord['report']): string {
  const policies = report.links.flatMap((l) => (linkPolicyWords(l) ? [linkPolicyWords(l)!] : []));
  return [
    '<h3>DNS and the policy on each link</h3><ul class="dns">',
    ...(report.dns ?? []).map((a) => `<li class="mono">${esc(dnsAnswerWords(a))}</li>`),
    '</ul>',
    report.mtaSts?.length ? `<ul class="mta-sts">${report.mtaSts.map((d) => `<li>MTA-STS ${esc(stsDiscoveryWords(d))}</li>`).join('')}</ul>` : '',
    policies.length ? `<ul class="policies">${policies.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '',
  ].join('');
}

function scenarioSection(run: RunRecord, i: number, diagram: ChainDiagram): string {
  const { report, events } = run;
  const e2e = report.endToEnd === 'mixed' ? (mixedCopiesWords(report) ?? 'messages differ') : END_TO_END_MEANING[report.endToEnd];
  const parts = [
    `<section class="scenario" id="${anchor(report, i)}" data-scenario="${esc(report.name)}" data-passed="${report.passed}">`,
    `<h2><span class="badge ${report.skipped ? 'skip' : report.passed ? 'pass' : 'fail'}">${report.skipped ? 'skipped' : report.passed ? 'passed' : 'failed'}</span> ${esc(report.name)}</h2>`,
    ...(report.skipped ? [`<p class="skipped">skipped: ${esc(report.skipped)}</p>`] : []),
    report.file ? `<div class="file">${esc(report.file)}</div>` : '',
    renderDescription(run.scenario?.description?.trim()),
    `<p>End to end: <strong class="${verdictClass(report.endToEnd)}">${esc(report.endToEnd)}</strong> (${esc(e2e)}) · outcome: <strong>${esc(report.outcome)}</strong> · ${report.attempts} SMTP session${report.attempts === 1 ? '' : 's'}</p>`,
    report.failures.length ? `<ul class="failures">${report.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : '',
    diagram.html,
    explanation(run),
  ];
  if (report.links.length) parts.push(linkTable(run));
  if (report.dns) parts.push(dnsSection(report));
  if (report.messages.length) parts.push('<h3>Messages</h3>', messagesTable(report));
  const headers = renderHeaders(report);
  if (headers) parts.push('<h3>What the Received headers say</h3>', headers);
  parts.push('<h3>Expectations</h3>', expectationsTable(report));
  if (report.dsns.length) {
    parts.push('<h3>Delivery status notifications</h3><ul>', ...report.dsns.map((d) => `<li>${esc(d.messageId)}: ${esc(d.hop)} → ${esc(d.to)}: <span class="mono">${esc(d.reply.text)}</span></li>`), '</ul>');
  }
  if (report.links.length) parts.push('<h3>Links: attempts and transcripts</h3>', ...report.links.map((l) => renderLinkDetails(report, events, l)));
  parts.push('</section>');
  return parts.filter(Boolean).join('\n');
}

/** The whole page. */
export function renderHtml(runs: readonly RunRecord[], options: HtmlOptions = {}): string {
  const title = options.title ?? 'mailhop report';
  const failed = runs.filter((r) => !r.report.passed).length;
  const toc = runs.map(
    (r, i) => `<li><a href="#${anchor(r.report, i)}">${r.report.passed ? '✔' : '<span class="v-clear">✘</span>'} ${esc(r.report.name)}</a> <span class="${verdictClass(r.report.endToEnd)}">${esc(r.report.endToEnd)}</span></li>`,
  );
  const diagrams = runs.map((r, i) => renderChainDiagram(r, `${anchor(r.report, i)}-chain`));
  const body = [
    `<h1>${esc(title)}</h1>`,
    `<p class="summary">${runs.length} scenario${runs.length === 1 ? '' : 's'}: ${runs.length - failed} passed, ${failed} failed</p>`,
    `<ul class="toc">${toc.join('')}</ul>`,
    ...runs.map((r, i) => scenarioSection(r, i, diagrams[i])),
  ];
  return renderPage({ title, body: body.join('\n'), css: diagrams.map((d) => d.css).filter(Boolean).join('\n') });
}
