/** The HTML report's stylesheet, inlined in the page (light and dark). */
export const HTML_STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --panel: #f6f8fa;
  --verified: #1a7f37; --tls: #0969da; --clear: #cf222e; --muted-v: #8c959f; --warn: #9a6700; --engine: #8250df; --attack: #bc4c00; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22;
  --verified: #3fb950; --tls: #4493f8; --clear: #f85149; --muted-v: #6e7681; --warn: #d29922; --engine: #ab7df8; --attack: #f0883e; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0; display: flex; align-items: center; gap: 8px; }
h3 { font-size: 14px; margin: 18px 0 6px; }
a { color: var(--tls); }
.summary { color: var(--muted); margin-bottom: 16px; }
.toc { list-style: none; padding: 0; margin: 0 0 24px; columns: 2; }
.toc li { padding: 2px 0; }
section.scenario { border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 0 0 24px; }
.badge { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; }
.badge.pass { background: var(--verified); } .badge.fail { background: var(--clear); } .badge.skip { background: #8a8a8a; }
.file { color: var(--muted); font-size: 12px; font-family: ui-monospace, monospace; }
.diagram { overflow-x: auto; margin: 12px 0 2px; container-type: inline-size; }
.diagram .chain { display: flex; flex-wrap: wrap; align-items: flex-start; }
.diagram .chain > svg { display: block; flex: none; margin: 4px 0; }
.diagram .chain > .fan { display: flex; flex-direction: column; flex: none; margin: 4px 0; }
.diagram .fan > svg { display: block; }
.diagram .trunk { stroke: var(--muted); stroke-width: 2.5; }
.diagram .br { display: none; flex-basis: 100%; height: 0; }
.box { fill: var(--panel); stroke: var(--fg); stroke-width: 1.5; }
.box-client { stroke: var(--muted); }
.box-engine { stroke: var(--engine); stroke-width: 3; }
.band { fill: var(--engine); }
.box-external { fill: none; stroke-width: 2; stroke-dasharray: 6 4; }
.diagram .hop text { fill: var(--fg); font: 600 13px system-ui, sans-serif; }
.diagram .hop text.kind { fill: var(--muted); font: 12px system-ui, sans-serif; }
.diagram .hop-engine text.kind { fill: var(--engine); font-weight: 600; }
.diagram .link text { font: 12px system-ui, sans-serif; }
.diagram .link .name { fill: var(--muted); }
.diagram .link .row-start { display: none; fill: none; stroke-width: 2.5; }
.attacker-box, .attacker-mask { fill: var(--attack); }
.attacker-body { fill: #ffffff; }
.attacker.idle .attacker-box, .attacker.idle .attacker-mask { fill: var(--muted-v); }
.diagram .attacker text.fault-name { fill: var(--attack); font-weight: 600; }
.diagram .attacker.idle text.fault-name { fill: var(--muted); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 18px; padding: 0; margin: 0 0 12px; font-size: 12px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend svg { flex: none; }
.description { max-width: 110ch; margin: 8px 0; }
.description p { margin: 4px 0; }
details.explain { margin: 4px 0 12px; }
details.explain > summary { cursor: pointer; font-weight: 600; }
.explain .chain-sentence { color: var(--muted); max-width: 110ch; }
.explain .message h4 { margin: 12px 0 4px; font-size: 14px; }
.explain .link-story { margin: 6px 0 10px 4px; padding-left: 12px; border-left: 3px solid var(--line); max-width: 110ch; }
.explain .link-story h5 { margin: 0 0 2px; font-size: 13px; display: flex; gap: 6px; align-items: center; }
.explain .link-story p { margin: 2px 0; }
.explain p.conclusion { color: var(--muted); }
.explain p.disagreement { color: var(--warn); }
.explain p.leak { color: var(--clear); font-weight: 600; }
.explain .claims { list-style: none; padding-left: 4px; }
.v-verified { color: var(--verified); fill: var(--verified); stroke: var(--verified); }
.v-tls { color: var(--tls); fill: var(--tls); stroke: var(--tls); }
.v-clear { color: var(--clear); fill: var(--clear); stroke: var(--clear); }
.v-muted { color: var(--muted-v); fill: var(--muted-v); stroke: var(--muted-v); }
.diagram .link line { stroke-width: 2.5; }
.diagram .link.verdict-none line { stroke-dasharray: 5 5; }
.diagram .link text.verdict { stroke: none; font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.icon { vertical-align: -3px; }
.failures { color: var(--clear); margin: 8px 0; padding-left: 18px; }
.warning { color: var(--warn); }
details.link { border-top: 1px solid var(--line); padding: 6px 0; }
details.link > summary { cursor: pointer; font-weight: 600; display: flex; gap: 8px; align-items: center; list-style: none; }
details.link > summary::before { content: "▸"; color: var(--muted); width: 10px; }
details.link[open] > summary::before { content: "▾"; }
details.link > summary .note { font-weight: 400; }
.session { margin: 10px 0 14px 16px; }
.session h4 { margin: 0 0 4px; font-size: 13px; }
pre.transcript { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 4px 0; overflow-x: auto; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre.transcript .c { color: var(--tls); }
pre.transcript .s { color: var(--fg); }
pre.transcript .n { color: var(--verified); font-style: italic; }
pre.transcript .n.bad { color: var(--clear); }
.wire { color: var(--muted); font-size: 12px; }
.note { color: var(--muted); }
p.headers.agree { color: var(--muted); margin: 4px 0; }
.headers.disagree p.warning { margin: 4px 0; font-weight: 600; }
table.headers tr.disagree td { background: color-mix(in srgb, var(--clear) 8%, transparent); }
table.headers tr.why td { border-bottom-width: 2px; }
.received { color: var(--muted); margin-top: 4px; overflow-wrap: anywhere; }
@media (max-width: 700px) { body { padding: 12px; } section.scenario { padding: 12px; } .toc { columns: 1; } table.attempts td, table.headers td { overflow-wrap: anywhere; } }
`;
