/**
 * The explanation of a run (explanation.ts, what `mailhop explain` prints) as HTML: the scenario's
 * description, then per message and link the story of what happened and why, each link headed by its
 * verdict with the lock the diagram draws, the verdict's meaning last; then the claims. Rendering only.
 * Each link's story is a `.link-story` element with `data-message`, `data-link` and `data-verdict`.
 */
import type { Explanation, ExplainedLink } from './explanation.js';
import { esc, icon, LOCK_OF, verdictClass } from './html-parts.js';

/** The scenario's description, one `<p>` per paragraph (blank lines part them), in `.description`. */
export function renderDescription(description: string | undefined): string {
  if (!description) return '';
  const paragraphs = description.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  return `<div class="description">${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}</div>`;
}

function linkStory(messageId: string, l: ExplainedLink): string {
  const cls = verdictClass(l.verdict);
  const paragraphs = l.paragraphs.map((p) => `<p class="${p.kind}">${esc(p.text)}</p>`);
  return (
    `<div class="link-story" data-message="${esc(messageId)}" data-link="${esc(l.link)}" data-verdict="${l.verdict}">` +
    `<h5><span class="${cls}">${icon(`lock-${LOCK_OF[l.verdict]}`, 16, l.verdict)}</span> ${esc(l.heading)}: <span class="${cls}">${esc(l.verdict)}</span></h5>` +
    `${paragraphs.join('')}</div>`
  );
}

/** What to include besides the stories. */
export interface ExplanationHtmlOptions {
  /** The scenario's description (default true; the report shows it above the diagram instead). */
  description?: boolean;
  /** The claims and whether they held (default true; the report has its expectations table instead). */
  claims?: boolean;
}

/** The explanation as a `<div class="explain">`. */
export function renderExplanationHtml(x: Explanation, options: ExplanationHtmlOptions = {}): string {
  const parts = ['<div class="explain">'];
  if (options.description ?? true) parts.push(renderDescription(x.description));
  parts.push(`<p class="chain-sentence">${esc(x.chain)}</p>`);
  for (const m of x.messages) {
    parts.push(
      `<div class="message" data-message="${esc(m.messageId)}"><h4>${esc(m.heading)}</h4>`,
      ...m.links.map((l) => linkStory(m.messageId, l)),
      `<p class="end-to-end">${esc(m.endToEnd)}</p></div>`,
    );
  }
  if (x.messages.length === 0) parts.push('<p>No message went through the chain.</p>');
  if ((options.claims ?? true) && x.claims.length) {
    if (x.claimsHeading) parts.push(`<p>${esc(x.claimsHeading)}</p>`);
    const items = x.claims.map((c) => `<li class="${c.held ? 'held' : 'broken'}">${c.held ? '✔' : '<span class="v-clear">✘</span>'} ${esc(c.text)}</li>`);
    parts.push(`<ul class="claims">${items.join('')}</ul>`);
  }
  parts.push('</div>');
  return parts.filter(Boolean).join('\n');
}
