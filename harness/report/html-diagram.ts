/**
 * The chain diagram of one scenario as inline SVG: hops as boxes, links as arrows, on each arrow a
 * closed lock (content crossed encrypted), an open lock (in clear), a no-entry mark (refused) or
 * nothing (never reached), and a warning mark where the witnesses disagree or a link fault acted.
 * Each link is a `<g class="link">` with `data-link`, `data-verdict`, `data-lock` and `data-warning`
 * attributes, so tests (and people with devtools) can read the picture.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent, WireEvent } from '../trace/events.js';
import { esc, LOCK_OF, verdictClass } from './html-parts.js';

const BOX_W = 124;
const BOX_H = 44;
const GAP = 156;
const PAD = 12;
const MID_Y = 62;
const HEIGHT = 128;

/** Why a link gets a warning mark, or undefined: disagreeing witnesses, faults on its wire records. */
export function linkWarning(report: ScenarioReport, events: readonly TraceEvent[], link: string): string | undefined {
  const reasons: string[] = [];
  const l = report.links.find((x) => x.link === link);
  if (l?.disagreement) reasons.push(l.disagreement);
  const faults = events
    .filter((e): e is WireEvent => e.kind === 'wire' && e.link === link)
    .flatMap((e) => e.record.faults.map((f) => (f.action === f.fault ? f.fault : `${f.fault} (${f.action})`)));
  if (faults.length) reasons.push(`link faults acted: ${[...new Set(faults)].join(', ')}`);
  return reasons.length ? reasons.join('; ') : undefined;
}

/** The SVG diagram, or an empty string when the report has no links (the chain did not start). */
export function renderChainDiagram(report: ScenarioReport, events: readonly TraceEvent[]): string {
  if (report.links.length === 0) return '';
  const nodes = [report.links[0].from, ...report.links.map((l) => l.to)];
  const width = PAD * 2 + nodes.length * BOX_W + (nodes.length - 1) * GAP;
  const x = (i: number) => PAD + i * (BOX_W + GAP);
  const boxes = nodes.map(
    (id, i) =>
      `<g class="hop" data-hop="${esc(id)}"><rect x="${x(i)}" y="${MID_Y - BOX_H / 2}" width="${BOX_W}" height="${BOX_H}" rx="8"/>` +
      `<text x="${x(i) + BOX_W / 2}" y="${MID_Y + 5}" text-anchor="middle">${esc(id)}</text></g>`,
  );
  const arrows = report.links.map((l, i) => {
    const x1 = x(i) + BOX_W + 4;
    const x2 = x(i + 1) - 6;
    const cx = (x1 + x2) / 2;
    const lock = LOCK_OF[l.verdict];
    const warning = linkWarning(report, events, l.link);
    const cls = verdictClass(l.verdict);
    const title = `${l.link}: ${l.verdict}${l.version ? ` (${l.version} ${l.cipher})` : ''}${warning ? ` ⚠ ${warning}` : ''}`;
    return [
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
  });
  return `<svg class="chain" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${esc(`chain ${nodes.join(' -> ')}`)}">${boxes.join('')}${arrows.join('')}</svg>`;
}
