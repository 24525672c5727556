/**
 * The shell of every mailhop HTML page (the run report, `mailhop explain --html`): one self-contained
 * document with the stylesheet and the icon symbols inline, no scripts, fonts, images or links to
 * anything outside the page.
 */
import { esc, ICON_SYMBOLS } from './html-parts.js';
import { HTML_STYLE } from './html-style.js';

/** What goes in a page: its title, its body, and CSS of its own (the diagrams' row rules) after the stylesheet. */
export interface PageParts {
  title: string;
  body: string;
  css?: string;
}

/** The whole document. */
export function renderPage({ title, body, css }: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${HTML_STYLE}${css ? `\n${css}\n` : ''}</style>
</head>
<body>
${ICON_SYMBOLS}
${body}
</body>
</html>
`;
}
