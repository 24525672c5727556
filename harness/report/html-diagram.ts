/**
 * The chain diagram of one scenario as inline SVG: hops as boxes drawn by what runs them (mock, real
 * MTA, external server, client), links as arrows, on each arrow a closed lock (content crossed
 * encrypted), an open lock (in clear), a no-entry mark (refused) or nothing (never reached), a warning
 * mark where the witnesses disagree, a link fault acted, or the Received headers misstate the link, and
 * the on-path attacker sitting on the arrow of the link it is on; then a legend.
 *
 * The chain is drawn as steps, one small SVG each: the first hop, then each link's arrow with the hop
 * it ends on, so an arrow always ends on its hop box. On a wide screen the whole chain is one line; on
 * a narrow one it breaks into balanced rows (html-diagram-rows.ts), read left to right then the next
 * row, an arrow that starts a row marked as continuing from the row above. A hop routing by MX to several
 * MX hosts fans out: its branches (an arrow and an MX host each) are stacked in one column after it, joined
 * by a trunk, since the hop delivers to each of them, never one through the other. Nothing is scaled, so labels
 * keep their size, and no script is needed (the page has none): CSS container queries pick the rows.
 * A link that mail sent by hand came in on (`mailhop up`) has no sender witness, so no verdict: given in
 * `received`, it is drawn with what the receiving hop saw (closed lock over TLS, open in clear) and labelled so.
 * Each link is a `<g class="link">` with `data-link`, `data-verdict` (and `data-received`), `data-lock` and `data-warning`, each
 * hop a `<g class="hop">` with `data-hop` and `data-kind`, each attacker a `<g class="attacker">` with
 * `data-fault` and `data-acted`, so tests (and people with devtools) can read the picture.
 */
import type { LinkReport } from '../verdict/judge-scenario.js';
import type { RunRecord } from './run-record.js';
import { esc, LOCK_OF, verdictClass, type LockMark } from './html-parts.js';
import { linkWarning } from './link-warning.js';
import { attackersOn, attackerTitle, hopFigures, type Attacker, type HopFigure } from './html-chain-cast.js';
import { attackerLabelWidth, hopBoxWidth, renderAttacker, renderHop, renderLegend } from './html-chain-figures.js';
import { rowsCss } from './html-diagram-rows.js';

/** Shortest arrow, px: room for the lock, the warning mark and a `tls-verified` label at 12 px. */
const GAP = 124;
/** Room for a box outline at a step's edge, px. */
const EDGE = 2;
const MID_Y = 48;
/** Step height, px, without and with an attacker's name under the labels somewhere in the chain. */
const HEIGHT = 100;
const HEIGHT_ATTACKED = 118;

/** A diagram: its HTML, and the CSS (for the page's stylesheet) that picks its rows by width. */
export interface ChainDiagram {
  html: string;
  css: string;
}

interface Step {
  id: string;
  figure: HopFigure;
  /** The link whose arrow ends on this hop (absent for the first hop). */
  link?: LinkReport;
  attackers: Attacker[];
  arrow: number;
  width: number;
}

/** How the receiving hop got mail sent by hand on a link without a sender witness: over TLS or in clear. */
export type ReceivedByHand = 'tls' | 'plain';

/** Where a step sits in the fan of a hop routing by MX: its place among `of` branches (absent on the line). */
interface Branch {
  at: number;
  of: number;
}

function renderArrow(run: RunRecord, step: Step, received?: ReceivedByHand, branch?: Branch): string {
  const l = step.link!;
  const x1 = EDGE + 4;
  const x2 = step.arrow;
  const cx = (x1 + x2) / 2;
  const lock = received ? (received === 'tls' ? 'closed' : 'open') : LOCK_OF[l.verdict];
  const warning = linkWarning(run.report, run.events, l.link);
  const cls = received ? verdictClass(received) : verdictClass(l.verdict);
  const label = received ? 'received' : l.verdict;
  const sub = received ? `by hand, ${received === 'tls' ? 'TLS' : 'in clear'}` : (l.version ?? `${l.attempts} session${l.attempts === 1 ? '' : 's'}`);
  const said = received ? `sent by hand; ${l.to} received it ${received === 'tls' ? 'over TLS' : 'in plaintext'}` : `${l.verdict}${l.version ? ` (${l.version} ${l.cipher})` : ''}`;
  const title = `${l.link}: ${said}${warning ? ` ⚠ ${warning}` : ''}`;
  const attacked = step.attackers.length > 0;
  return [
    `<g class="link verdict-${received ? 'received' : esc(l.verdict)}" data-link="${esc(l.link)}" data-verdict="${esc(l.verdict)}"${received ? ` data-received="${esc(received)}"` : ''} data-lock="${lock}" data-warning="${warning ? 'true' : 'false'}" data-attacked="${attacked}">`,
    `<title>${esc(title)}</title>`,
    // In a fan only the first branch can start a row; the others hang off the trunk below it.
    branch && branch.at > 0 ? '' : `<path class="row-start ${cls}" d="M${x1} ${MID_Y - 24}v16q0 8 8 8"><title>${esc(`continued from ${l.from} at the end of the row above`)}</title></path>`,
    `<line class="${cls}" x1="${x1}" y1="${MID_Y}" x2="${x2 - 8}" y2="${MID_Y}"/>`,
    `<path class="head ${cls}" d="M${x2 - 10} ${MID_Y - 6} L${x2} ${MID_Y} L${x2 - 10} ${MID_Y + 6} Z"/>`,
    lock === 'none' ? '' : `<use class="${cls} lock lock-${lock}" href="#icon-lock-${lock}" x="${cx - 12}" y="${MID_Y - 40}" width="24" height="24"/>`,
    warning ? `<use class="warning-mark" href="#icon-warning" x="${cx + 14}" y="${MID_Y - 38}" width="20" height="20"/>` : '',
    attacked ? renderAttacker(step.attackers, attackerTitle(l.link, step.attackers), cx, MID_Y, MID_Y + 62) : '',
    `<text class="verdict ${cls}" x="${cx}" y="${MID_Y + 30}" text-anchor="middle">${esc(label)}</text>`,
    `<text class="name" x="${cx}" y="${MID_Y + 46}" text-anchor="middle">${esc(sub)}</text>`,
    '</g>',
  ].join('');
}

/**
 * The trunk of a fan at a branch: the vertical line at the arrows' start joining this branch's arrow to the one
 * above (every branch but the first) and to the one below (every branch but the last), so all branches visibly
 * leave the routing hop.
 */
function renderTrunk(branch: Branch, height: number): string {
  const x = EDGE + 4;
  const top = branch.at > 0 ? 0 : MID_Y;
  const bottom = branch.at < branch.of - 1 ? height : MID_Y;
  return top === bottom ? '' : `<line class="trunk" x1="${x}" y1="${top}" x2="${x}" y2="${bottom}"/>`;
}

function renderSvg(run: RunRecord, step: Step, cls: string, height: number, received: ReadonlyMap<string, ReceivedByHand>, branch?: Branch): string {
  const hop = renderHop(step.id, step.figure, step.link ? step.arrow : EDGE, MID_Y);
  const arrow = step.link ? renderArrow(run, step, received.get(step.link.link), branch) : '';
  const trunk = branch ? renderTrunk(branch, height) : '';
  return `<svg class="${cls}" xmlns="http://www.w3.org/2000/svg" width="${step.width}" height="${height}" viewBox="0 0 ${step.width} ${height}">${trunk}${arrow}${hop}</svg>`;
}

/** Step `i` of the line, or (an array) the fan of a hop routing by MX: its branches stacked, one per MX host. */
function renderStep(run: RunRecord, step: Step | Step[], i: number, height: number, received: ReadonlyMap<string, ReceivedByHand>): string {
  const html = Array.isArray(step)
    ? `<div class="fan step-${i}">${step.map((b, at) => renderSvg(run, b, 'branch', height, received, { at, of: step.length })).join('')}</div>`
    : renderSvg(run, step, `step step-${i}`, height, received);
  return i === 0 ? html : `<i class="br br-${i}"></i>${html}`;
}

/**
 * The hop that fans out: one that several links leave, i.e. a hop routing by MX to more than one MX host
 * (chain-topology.ts: its links come last, one per MX target, so the chain is a line up to it, then a fan).
 */
function fanHop(links: readonly LinkReport[]): string | undefined {
  const from = links.map((l) => l.from);
  return from.find((f, i) => from.indexOf(f) !== i);
}

/**
 * The diagram of one run, with `id` naming its chain element (unique in the page, [A-Za-z0-9-]), or an
 * empty diagram when the report has no links (the chain did not start). Its accessible name reads the
 * chain with each link's verdict and attackers. `received`: per link name, how mail sent by hand came in
 * on a link without a sender witness (`mailhop up --web`); such a link is drawn by what its receiver saw.
 */
export function renderChainDiagram(run: RunRecord, id: string, received: ReadonlyMap<string, ReceivedByHand> = new Map()): ChainDiagram {
  const { report, events, scenario } = run;
  if (report.links.length === 0) return { html: '', css: '' };
  const nodes = [report.links[0].from, ...report.links.map((l) => l.to)];
  const figures = hopFigures(nodes, events, scenario);
  const stepOf = (node: string, link?: LinkReport): Step => {
    const figure = figures.get(node)!;
    const attackers = link ? attackersOn(link.link, events, scenario) : [];
    const arrow = link ? Math.max(GAP, attackerLabelWidth(attackers)) : 0;
    return { id: node, figure, link, attackers, arrow, width: (link ? arrow : EDGE) + hopBoxWidth(node, figure) + EDGE };
  };
  const router = fanHop(report.links);
  const line = report.links.filter((l) => l.from !== router);
  const fan = report.links.filter((l) => l.from === router).map((l) => stepOf(l.to, l));
  const steps: Array<Step | Step[]> = [stepOf(nodes[0]), ...line.map((l) => stepOf(l.to, l)), ...(fan.length ? [fan] : [])];
  const flat = steps.flat();
  const height = flat.some((s) => s.attackers.length) ? HEIGHT_ATTACKED : HEIGHT;
  const verdicts = flat
    .filter((s) => s.link)
    .map((s) => `${s.link!.link} ${received.has(s.link!.link) ? `received by hand ${received.get(s.link!.link) === 'tls' ? 'over TLS' : 'in clear'}` : s.link!.verdict}${s.attackers.length ? ` (attacker: ${s.attackers.map((a) => a.fault).join(', ')})` : ''}`)
    .join(', ');
  const shape = router ? `${[nodes[0], ...line.map((l) => l.to)].join(' -> ')}, which routes by MX to ${fan.map((s) => s.id).join(' or ')}` : nodes.join(' -> ');
  const label = `chain ${shape}: ${verdicts}`;
  const locks = new Set<LockMark>(report.links.map((l) => (received.has(l.link) ? (received.get(l.link) === 'tls' ? 'closed' : 'open') : LOCK_OF[l.verdict])));
  const legend = renderLegend({
    kinds: new Set([...figures.values()].map((f) => f.kind)),
    attacker: flat.some((s) => s.attackers.length),
    locks,
    warning: report.links.some((l) => linkWarning(report, events, l.link)),
  });
  const chain = `<div class="chain" id="${esc(id)}" role="img" aria-label="${esc(label)}">${steps.map((s, i) => renderStep(run, s, i, height, received)).join('')}</div>`;
  // A fan takes the room of its widest branch in a row.
  const widths = steps.map((s) => (Array.isArray(s) ? Math.max(...s.map((b) => b.width)) : s.width));
  return { html: `<div class="diagram">${chain}</div>\n${legend}`, css: rowsCss(id, widths) };
}
