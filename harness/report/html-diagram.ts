/**
 * The chain diagram of one scenario as inline SVG: hops as boxes, links as arrows, on each arrow a
 * closed lock (content crossed encrypted), an open lock (in clear), a no-entry mark (refused) or
 * nothing (never reached), and a warning mark where the witnesses disagree, a link fault acted, or
 * the Received headers misstate the link.
 *
 * The chain is drawn as steps, one small SVG per hop and its outgoing arrow, in a wrapping flex row:
 * on a wide screen the whole chain is one line; on a narrow one it wraps like text, an arrow at the
 * end of a row continuing at the start of the next. Nothing is scaled, so labels keep their size
 * whatever the number of hops (no script is needed: the page has none).
 * Each link is a `<g class="link">` with `data-link`, `data-verdict`, `data-lock` and `data-warning`
 * attributes, each hop a `<g class="hop">` with `data-hop`, so tests (and people with devtools) can
 * read the picture.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent, WireEvent } from '../trace/events.js';
import { esc, LOCK_OF, verdictClass } from './html-parts.js';

/** Smallest hop box width; a longer hop id widens its box (about 8.5 px a character at 13 px bold). */
const BOX_W = 124;
const BOX_H = 44;
/** Arrow length: room for the lock, the warning mark and a `tls-verified` label at 12 px. */
const GAP = 136;
/** Room for the box outline at the step's left edge. */
const EDGE = 2;
const MID_Y = 62;
const HEIGHT = 112;

function boxWidth(id: string): number {
  return Math.max(BOX_W, Math.ceil(id.length * 8.5) + 24);
}

const CROSSED = { tls: 'was encrypted', plain: 'crossed in clear', none: 'never crossed' } as const;

/**
 * Why a link gets a warning mark, or undefined: disagreeing witnesses, faults on its wire records, Received
 * headers that claim TLS (or plaintext) where the wire saw the opposite. A header walk that stopped above the
 * link (`believed: unknown`) is not a mark: the headers section says so.
 */
export function linkWarning(report: ScenarioReport, events: readonly TraceEvent[], link: string): string | undefined {
  const reasons: string[] = [];
  const l = report.links.find((x) => x.link === link);
  if (l?.disagreement) reasons.push(l.disagreement);
  const faults = events
    .filter((e): e is WireEvent => e.kind === 'wire' && e.link === link)
    .flatMap((e) => e.record.faults.map((f) => (f.action === f.fault ? f.fault : `${f.fault} (${f.action})`)));
  if (faults.length) reasons.push(`link faults acted: ${[...new Set(faults)].join(', ')}`);
  const misstated = new Map<string, string[]>();
  for (const h of report.headers ?? []) {
    if (h.link !== link || h.agrees || h.believed === 'unknown') continue;
    const said = `say ${h.believed === 'tls' ? 'TLS' : 'plaintext'}, but the content ${CROSSED[h.actual]}`;
    misstated.set(said, [...(misstated.get(said) ?? []), h.messageId]);
  }
  for (const [said, ids] of misstated) reasons.push(`the Received headers of ${ids.join(', ')} ${said}`);
  return reasons.length ? reasons.join('; ') : undefined;
}

/** One step: a hop's box and, but for the last hop, its outgoing arrow with the link's marks and labels. */
function renderStep(report: ScenarioReport, events: readonly TraceEvent[], id: string, i: number): string {
  const bw = boxWidth(id);
  const l = report.links[i];
  const width = EDGE + bw + (l ? GAP : EDGE);
  const box =
    `<g class="hop" data-hop="${esc(id)}"><rect x="${EDGE}" y="${MID_Y - BOX_H / 2}" width="${bw}" height="${BOX_H}" rx="8"/>` +
    `<text x="${EDGE + bw / 2}" y="${MID_Y + 5}" text-anchor="middle">${esc(id)}</text></g>`;
  let arrow = '';
  if (l) {
    const x1 = EDGE + bw + 4;
    const x2 = width - 4;
    const cx = (x1 + x2) / 2;
    const lock = LOCK_OF[l.verdict];
    const warning = linkWarning(report, events, l.link);
    const cls = verdictClass(l.verdict);
    const title = `${l.link}: ${l.verdict}${l.version ? ` (${l.version} ${l.cipher})` : ''}${warning ? ` ⚠ ${warning}` : ''}`;
    arrow = [
      `<g class="link verdict-${l.verdict}" data-link="${esc(l.link)}" data-verdict="${l.verdict}" data-lock="${lock}" data-warning="${warning ? 'true' : 'false'}">`,
      `<title>${esc(title)}</title>`,
      `<line class="${cls}" x1="${x1}" y1="${MID_Y}" x2="${x2 - 8}" y2="${MID_Y}"/>`,
      `<path class="${cls}" d="M${x2 - 10} ${MID_Y - 6} L${x2} ${MID_Y} L${x2 - 10} ${MID_Y + 6} Z"/>`,
      lock === 'none' ? '' : `<use class="${cls} lock lock-${lock}" href="#icon-lock-${lock}" x="${cx - 12}" y="${MID_Y - 40}" width="24" height="24"/>`,
      warning ? `<use class="warning-mark" href="#icon-warning" x="${cx + 14}" y="${MID_Y - 38}" width="20" height="20"/>` : '',
      `<text class="verdict ${cls}" x="${cx}" y="${MID_Y + 24}" text-anchor="middle">${esc(l.verdict)}</text>`,
      `<text class="name" x="${cx}" y="${MID_Y + 40}" text-anchor="middle">${esc(l.version ?? `${l.attempts} session${l.attempts === 1 ? '' : 's'}`)}</text>`,
      '</g>',
    ].join('');
  }
  return `<svg class="step" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}">${box}${arrow}</svg>`;
}

/**
 * The diagram, `<div class="chain">` holding one SVG step per hop, or an empty string when the report
 * has no links (the chain did not start). Its accessible name reads the chain with each link's verdict.
 */
export function renderChainDiagram(report: ScenarioReport, events: readonly TraceEvent[]): string {
  if (report.links.length === 0) return '';
  const nodes = [report.links[0].from, ...report.links.map((l) => l.to)];
  const label = `chain ${nodes.join(' -> ')}: ${report.links.map((l) => `${l.link} ${l.verdict}`).join(', ')}`;
  return `<div class="chain" role="img" aria-label="${esc(label)}">${nodes.map((id, i) => renderStep(report, events, id, i)).join('')}</div>`;
}
