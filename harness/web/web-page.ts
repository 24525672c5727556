/**
 * The web view's page: the HTML report's look (report/html-style.ts, its lock icons and chain diagram)
 * around a live chain. Served with the diagram, the hops and an empty message list already in it; the
 * script (web-script.ts) then fills and updates everything from the server-sent events. Everything from
 * the trace is escaped here and set as text by the script, never parsed as HTML, except the diagram,
 * which report/html-diagram.ts escapes.
 */
import { esc, ICON_SYMBOLS } from '../report/html-parts.js';
import { HTML_STYLE } from '../report/html-style.js';
import type { LiveSnapshot } from './live-view.js';

/** The page's Content-Security-Policy: its own script and stylesheet, the diagram's row rules inline, nothing else. */
export const WEB_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The report's stylesheet and the view's own rules. */
export const WEB_STYLE = `${HTML_STYLE}
header.top { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; }
#live { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; background: var(--muted-v); }
#live[data-state="live"] { background: var(--verified); }
section.panel { border: 1px solid var(--line); border-radius: 8px; padding: 12px 20px; margin: 0 0 20px; }
table.hops td, table.hops th { font-size: 13px; }
table.messages { width: 100%; }
table.messages tbody tr { cursor: pointer; }
table.messages tbody tr:hover, table.messages tbody tr[aria-selected="true"] { background: var(--panel); }
table.messages td.verdict { white-space: nowrap; }
table.messages td.pending { opacity: 0.6; font-style: italic; }
.status { font-weight: 600; }
.status-delivered { color: var(--verified); } .status-bounced, .status-held { color: var(--clear); } .status-deferred, .status-in-flight { color: var(--warn); }
#detail h2 { margin-bottom: 6px; }
#detail ul.faults { margin: 4px 0; padding-left: 18px; color: var(--attack); font-size: 12px; }
#detail .conn { margin: 10px 0 14px 16px; }
#detail .conn h4 { margin: 0 0 4px; font-size: 13px; }
#detail ol.received { padding-left: 22px; font-size: 12px; overflow-wrap: anywhere; }
.empty { color: var(--muted); }
`;

function hopsTable(s: LiveSnapshot): string {
  const rows = s.chain.hops.map(
    (h) =>
      `<tr data-hop="${esc(h.id)}"><td class="mono">${esc(h.id)}</td><td class="mono send-to">${esc(`${h.sendTo.host}:${h.sendTo.port}`)}</td>` +
      `<td class="mono">${esc(`${h.server.host}:${h.server.port}`)}</td><td>${esc(h.hostname)}</td><td>${esc(h.starttls ?? 'external')}</td></tr>`,
  );
  return (
    `<table class="hops"><thead><tr><th>hop</th><th>send to (link proxy)</th><th>server (bypasses the wire witness)</th><th>hostname</th><th>starttls</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function messagesTable(s: LiveSnapshot): string {
  const links = s.chain.links.map((l) => `<th class="mono" data-link="${esc(l.link)}">${esc(l.link)}</th>`).join('');
  return (
    `<table class="messages" id="messages" aria-label="messages"><thead><tr><th>id</th><th>from</th><th>to</th><th>subject</th><th>status</th>${links}<th>end to end</th></tr></thead><tbody></tbody></table>` +
    `<p class="empty" id="no-messages">No mail yet. Send to ${esc(s.chain.hops[0] ? `${s.chain.hops[0].sendTo.host}:${s.chain.hops[0].sendTo.port}` : '')} (hop ${esc(s.chain.hops[0]?.id ?? '')}); it appears here as it arrives.</p>`
  );
}

/** The page for the chain as it is now (`GET /`). */
export function renderWebPage(s: LiveSnapshot): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mailhop up · ${esc(s.chain.scenario)}</title>
<link rel="stylesheet" href="/style.css">
<style id="diagram-rows">${s.diagram.css}</style>
<script src="/app.js" defer></script>
</head>
<body>
${ICON_SYMBOLS}
<header class="top"><h1>mailhop up · ${esc(s.chain.scenario)}</h1>${s.chain.file ? `<span class="file">${esc(s.chain.file)}</span>` : ''}<span id="live" data-state="connecting">connecting…</span></header>
<section class="panel" id="chain" aria-label="chain">
<h2>Chain</h2>
<div id="diagram">${s.diagram.html}</div>
${hopsTable(s)}
</section>
<section class="panel" aria-label="messages">
<h2>Messages</h2>
${messagesTable(s)}
</section>
<section class="panel" id="detail" hidden aria-label="message detail"></section>
<section class="panel" id="dsns-section" aria-label="DSNs">
<h2>DSNs</h2>
<ul id="dsns"></ul><p class="empty" id="no-dsns">No delivery status notification sent.</p>
</section>
</body>
</html>
`;
}
