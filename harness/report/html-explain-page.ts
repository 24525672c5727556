/**
 * `mailhop explain --html <file>`: the explanation of one run as a page to read or project, the same
 * story the command prints (explanation.ts) under the scenario's description and its chain diagram
 * (with the on-path attackers and what runs each hop), the claims last. Self-contained like the run
 * report (html-page.ts). Pure: the run in, HTML out; every verdict shown is the report's.
 */
import type { Scenario } from '../scenario/schema.js';
import type { RunRecord } from './run-record.js';
import { explainRun } from './explanation.js';
import { renderChainDiagram } from './html-diagram.js';
import { renderDescription, renderExplanationHtml } from './html-explain.js';
import { renderPage } from './html-page.js';
import { esc, verdictClass } from './html-parts.js';

/** The page for one run whose scenario is known. */
export function renderExplainPage(run: RunRecord & { scenario: Scenario }): string {
  const { report } = run;
  const x = explainRun(run.scenario, report, run.events);
  const diagram = renderChainDiagram(run, 'chain');
  const body = [
    `<section class="scenario explained" data-scenario="${esc(report.name)}" data-passed="${report.passed}">`,
    `<h1>${esc(report.name)}</h1>`,
    x.file ? `<div class="file">${esc(x.file)}</div>` : '',
    renderDescription(x.description),
    `<p>End to end: <strong class="${verdictClass(report.endToEnd)}">${esc(report.endToEnd)}</strong> · outcome: <strong>${esc(report.outcome)}</strong></p>`,
    diagram.html,
    '<h2>What happened, link by link</h2>',
    renderExplanationHtml(x, { description: false }),
    '</section>',
  ];
  return renderPage({ title: `mailhop explain: ${report.name}`, body: body.filter(Boolean).join('\n'), css: diagram.css });
}
