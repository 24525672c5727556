/**
 * The figures of the chain diagram besides arrows and locks: hop boxes drawn by what runs the hop
 * (mailhop's mock: rounded box; a real MTA: square box with a thick border and a band on top; an
 * external server: dashed box; the injecting client: a pill), the on-path attacker sitting on the
 * arrow of its link with the fault's name under it, and the legend saying which is which.
 * Inline SVG only; colours come from the page's stylesheet (html-style.ts).
 */
import { esc, icon, type LockMark } from './html-parts.js';
import type { Attacker, HopFigure } from './html-chain-cast.js';
import type { SenderKind } from '../scenario/hop-kind.js';

/** Hop box height, px: the id (13 px bold) and the kind line (12 px) under it. */
export const BOX_H = 48;
/** Smallest hop box width, px. */
const BOX_W = 124;

/** A hop box's width, px: wide enough for its id (about 8.5 px a character) and its kind line (about 6.6 px). */
export function hopBoxWidth(id: string, figure: HopFigure): number {
  return Math.max(BOX_W, Math.ceil(id.length * 8.5) + 24, Math.ceil(figure.label.length * 6.6) + 20);
}

/** The outline of a hop of `kind` at (x, y), `w` × {@link BOX_H} px. */
function outline(kind: SenderKind, x: number, y: number, w: number): string {
  const rx = kind === 'client' ? BOX_H / 2 : kind === 'engine' ? 2 : 8;
  const band = kind === 'engine' ? `<rect class="band" x="${x}" y="${y}" width="${w}" height="7"/>` : '';
  return `<rect class="box box-${kind}" x="${x}" y="${y}" width="${w}" height="${BOX_H}" rx="${rx}"/>${band}`;
}

/** One hop: `<g class="hop">` with `data-hop`, `data-kind` (and `data-engine`), its box, id and kind line. */
export function renderHop(id: string, figure: HopFigure, x: number, midY: number): string {
  const w = hopBoxWidth(id, figure);
  const engine = figure.engine ? ` data-engine="${figure.engine}"` : '';
  return (
    `<g class="hop hop-${figure.kind}" data-hop="${esc(id)}" data-kind="${figure.kind}"${engine}><title>${esc(`${id}: ${figure.label}`)}</title>` +
    outline(figure.kind, x, midY - BOX_H / 2, w) +
    `<text x="${x + w / 2}" y="${midY - 2}" text-anchor="middle">${esc(id)}</text>` +
    `<text class="kind" x="${x + w / 2}" y="${midY + 15}" text-anchor="middle">${esc(figure.label)}</text></g>`
  );
}

/** The fault names under an attacker, e.g. `strip-starttls` or `kill-handshake, strip-starttls`. */
export function attackerLabel(attackers: readonly Attacker[]): string {
  return attackers.map((a) => a.fault).join(', ');
}

/** Width the attacker's label needs on an arrow, px (12 px text, about 7.2 px a character, and a margin). */
export function attackerLabelWidth(attackers: readonly Attacker[]): number {
  return attackers.length ? Math.ceil(attackerLabel(attackers).length * 7.2) + 16 : 0;
}

/** A masked figure in a box on the arrow at (cx, midY), and the fault names at `labelY`. */
export function renderAttacker(attackers: readonly Attacker[], title: string, cx: number, midY: number, labelY: number): string {
  const acted = attackers.some((a) => a.acted);
  return (
    `<g class="attacker${acted ? '' : ' idle'}" data-fault="${esc(attackers.map((a) => a.fault).join(' '))}" data-acted="${acted}"><title>${esc(title)}</title>` +
    `<rect class="attacker-box" x="${cx - 13}" y="${midY - 13}" width="26" height="26" rx="6"/>` +
    `<circle class="attacker-body" cx="${cx}" cy="${midY - 4}" r="4.6"/>` +
    `<path class="attacker-body" d="M${cx - 8.5} ${midY + 10}C${cx - 8.5} ${midY + 1.5} ${cx + 8.5} ${midY + 1.5} ${cx + 8.5} ${midY + 10}Z"/>` +
    `<rect class="attacker-mask" x="${cx - 5.5}" y="${midY - 6}" width="11" height="2.6" rx="1"/>` +
    `<text class="fault-name" x="${cx}" y="${labelY}" text-anchor="middle">${esc(attackerLabel(attackers))}${acted ? '' : ' (idle)'}</text></g>`
  );
}

const KIND_WORDS: Record<SenderKind, string> = {
  client: 'mailhop’s injecting client',
  app: 'the application under test, submitting itself',
  mock: 'mailhop mock MTA',
  engine: 'real MTA (Postfix, Sendmail, Exim, OpenSMTPD), started by mailhop',
  external: 'external server, not started by mailhop',
};

const LOCK_WORDS: Record<Exclude<LockMark, 'none'>, string> = {
  closed: 'content crossed encrypted',
  open: 'content crossed in clear',
  refused: 'stopped before the content crossed',
};

/** What the legend lists: the hop kinds, whether any attacker, the locks and whether any warning drawn. */
export interface LegendItems {
  kinds: ReadonlySet<SenderKind>;
  attacker: boolean;
  locks: ReadonlySet<LockMark>;
  warning: boolean;
}

/** The legend under a diagram, naming only what it draws (`<ul class="legend">`). */
export function renderLegend(items: LegendItems): string {
  const swatch = (inner: string, w = 30) => `<svg class="swatch" width="${w}" height="22" viewBox="0 0 ${w} 22" aria-hidden="true">${inner}</svg>`;
  const li: string[] = [];
  for (const kind of ['client', 'mock', 'engine', 'external'] as const) {
    if (!items.kinds.has(kind)) continue;
    const box = outline(kind, 1.5, 1.5, 27).replace(`height="${BOX_H}"`, 'height="19"').replace(`rx="${BOX_H / 2}"`, 'rx="9.5"');
    li.push(`<li data-legend="${kind}">${swatch(box.replace('height="7"', 'height="4"'))} ${esc(KIND_WORDS[kind])}</li>`);
  }
  if (items.attacker) {
    const figure = renderAttacker([{ fault: '', acted: true }], 'on-path attacker', 15, 11, 40).replace(/<text[^]*<\/text>/, '').replace(/<title>[^<]*<\/title>/, '');
    li.push(`<li data-legend="attacker">${swatch(figure)} on-path attacker: a link fault, named under it (“idle” when it did not act)</li>`);
  }
  for (const lock of ['closed', 'open', 'refused'] as const) {
    const colour = lock === 'closed' ? 'v-tls' : lock === 'open' ? 'v-clear' : 'v-muted';
    if (items.locks.has(lock)) li.push(`<li data-legend="lock-${lock}"><span class="${colour}">${icon(`lock-${lock}`, 18)}</span> ${LOCK_WORDS[lock]}</li>`);
  }
  if (items.warning) li.push(`<li data-legend="warning">${icon('warning', 18)} witnesses disagree, a fault acted, or the Received headers misstate the link</li>`);
  return `<ul class="legend" aria-label="legend">${li.join('')}</ul>`;
}
