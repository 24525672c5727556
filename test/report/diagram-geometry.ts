/**
 * Measures a chain diagram as chromium lays it out (bounding boxes in CSS pixels) and checks what a
 * person must see: every arrow ends on the box of the hop it names and runs from the hop before it
 * (or, first on a row, shows that it continues from the row above), rows read left to right, marks
 * and labels unclipped and legible, attackers on the arrow of their link.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

export type Box = { left: number; right: number; top: number; bottom: number };

/** One diagram on screen. */
export interface DiagramLayout {
  innerWidth: number;
  pageScrollWidth: number;
  diagram: Box & { clientWidth: number; scrollWidth: number };
  hops: Array<{ id: string; kind: string; svg: Box; box: Box; text: Box; px: number }>;
  links: Array<{
    id: string;
    verdict: string;
    svg: Box;
    from: Box;
    to: Box;
    line: Box;
    head: Box;
    rowStart: boolean;
    parts: Box[];
    labels: Array<Box & { px: number }>;
    attacker: (Box & { fault: string; acted: string }) | null;
  }>;
}

/** The measuring script (a string, so this Node-typed file needs no DOM types); `px` is the drawn font size. */
const measure = (selector: string) => `(() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 || r.height > 0; };
  const px = (t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
  const diagram = document.querySelector(${JSON.stringify(selector)});
  // (Plain rect and path where a drawing has no .box or .head, so an older drawing fails on geometry, not on a selector.)
  const first = (g, preferred, plain) => g.querySelector(preferred) ?? g.querySelector(plain);
  const hopBox = (id) => box(first(diagram, 'g.hop[data-hop="' + id + '"] rect.box', 'g.hop[data-hop="' + id + '"] rect'));
  return {
    innerWidth,
    pageScrollWidth: document.documentElement.scrollWidth,
    diagram: { ...box(diagram), clientWidth: diagram.clientWidth, scrollWidth: diagram.scrollWidth },
    hops: [...diagram.querySelectorAll('g.hop')].map((g) => ({
      id: g.getAttribute('data-hop'), kind: g.getAttribute('data-kind'), svg: box(g.ownerSVGElement), box: box(first(g, 'rect.box', 'rect')), text: box(g.querySelector('text')), px: px(g.querySelector('text')),
    })),
    links: [...diagram.querySelectorAll('g.link')].map((g) => {
      const [from, to] = g.getAttribute('data-link').split('->');
      const attacker = g.querySelector('g.attacker');
      return {
        id: g.getAttribute('data-link'),
        verdict: g.querySelector('text.verdict').textContent,
        svg: box(g.ownerSVGElement),
        from: hopBox(from),
        to: hopBox(to),
        line: box(g.querySelector('line')),
        head: box(first(g, 'path.head', 'path')),
        rowStart: !!g.querySelector('.row-start') && getComputedStyle(g.querySelector('.row-start')).display !== 'none',
        parts: [...g.querySelectorAll('line, path, use, rect, circle')].filter(shown).map(box),
        labels: [...g.querySelectorAll('text')].map((t) => ({ ...box(t), px: px(t) })),
        attacker: attacker ? { ...box(attacker.querySelector('rect.attacker-box')), fault: attacker.getAttribute('data-fault'), acted: attacker.getAttribute('data-acted') } : null,
      };
    }),
  };
})()`;

/** Sets the viewport to `width` × 900 and measures the first diagram matching `selector`. */
export async function measureDiagram(page: Page, width: number, selector = '.diagram'): Promise<DiagramLayout> {
  await page.setViewportSize({ width, height: 900 });
  return (await page.evaluate(measure(selector))) as DiagramLayout;
}

export const inside = (inner: Box, outer: Box, slack = 0.5) =>
  inner.left >= outer.left - slack && inner.right <= outer.right + slack && inner.top >= outer.top - slack && inner.bottom <= outer.bottom + slack;
const where = (what: string, b: Box) => `${what} at ${Math.round(b.left)}..${Math.round(b.right)} x ${Math.round(b.top)}..${Math.round(b.bottom)}`;

/** The hop ids of each row, top to bottom, each row left to right. */
export function rowsOf(layout: DiagramLayout): string[][] {
  const tops = [...new Set(layout.hops.map((h) => Math.round(h.box.top)))].sort((a, b) => a - b);
  return tops.map((top) => layout.hops.filter((h) => Math.round(h.box.top) === top).sort((a, b) => a.box.left - b.box.left).map((h) => h.id));
}

/**
 * What every diagram must look like, at any width: no sideways scroll; each hop's box and name inside
 * its SVG (an SVG clips what overflows it) and the diagram, legible; each arrow's tip on the left edge of
 * the box of the hop it names, at its height; the arrow right of the hop before it on the same row, or
 * marked as continuing from the row above when it starts a row; marks and labels unclipped, never over
 * the box the arrow ends on, at 12 px or more; rows in reading order (the chain's order).
 */
export function expectReadableDiagram(layout: DiagramLayout, chain: readonly string[]): void {
  expect(layout.pageScrollWidth).toBeLessThanOrEqual(layout.innerWidth);
  expect(layout.diagram.scrollWidth).toBeLessThanOrEqual(layout.diagram.clientWidth);
  expect(layout.hops.map((h) => h.id)).toEqual(chain);
  for (const h of layout.hops) {
    for (const [what, b] of [['box', h.box], ['name', h.text]] as const) {
      expect(inside(b, h.svg), `${h.id} ${where(what, b)} outside ${where('its svg', h.svg)}`).toBe(true);
      expect(inside(b, layout.diagram), `${h.id} ${where(what, b)} outside ${where('the diagram', layout.diagram)}`).toBe(true);
    }
    expect(inside(h.text, h.box), `${h.id}: ${where('name', h.text)} overflows ${where('its box', h.box)}`).toBe(true);
    expect(h.px).toBeGreaterThanOrEqual(13);
  }
  expect(rowsOf(layout).flat()).toEqual(chain);
  for (const l of layout.links) {
    const tip = { x: l.head.right, y: (l.head.top + l.head.bottom) / 2 };
    expect(Math.abs(tip.x - l.to.left), `${l.id}: the arrow ends at x ${tip.x}, not on ${where('the box it names', l.to)}`).toBeLessThanOrEqual(2);
    expect(tip.y, `${l.id}: the arrow ends at y ${tip.y}, beside ${where('the box it names', l.to)}`).toBeGreaterThan(l.to.top);
    expect(tip.y).toBeLessThan(l.to.bottom);
    const sameRow = Math.round(l.from.top) === Math.round(l.to.top);
    if (sameRow) expect(l.line.left, `${l.id}: ${where('the arrow', l.line)} starts over ${where('the hop before it', l.from)}`).toBeGreaterThanOrEqual(l.from.right);
    else expect(l.from.top, `${l.id}: the hop before it is not on the row above`).toBeLessThan(l.to.top);
    expect(l.rowStart, `${l.id}: ${sameRow ? 'marked as continuing from the row above on the same row' : 'starts a row without the mark that it continues'}`).toBe(!sameRow);
    for (const b of [...l.parts, ...l.labels]) {
      expect(inside(b, l.svg), `${l.id}: ${where('a mark or label', b)} outside ${where('its svg', l.svg)}`).toBe(true);
      expect(inside(b, layout.diagram), `${l.id}: ${where('a mark or label', b)} outside ${where('the diagram', layout.diagram)}`).toBe(true);
      expect(b.right, `${l.id}: ${where('a mark or label', b)} over ${where('the box it ends on', l.to)}`).toBeLessThanOrEqual(l.to.left + 1);
    }
    for (const t of l.labels) expect(t.px).toBeGreaterThanOrEqual(12);
  }
}

/** The attacker of `link` sits on its arrow: over the line, between its start and its tip; no other link has one. */
export function expectAttackerOn(layout: DiagramLayout, link: string, fault: string): void {
  expect(layout.links.filter((l) => l.attacker).map((l) => `${l.id} ${l.attacker!.fault}`)).toEqual([`${link} ${fault}`]);
  const l = layout.links.find((x) => x.id === link)!;
  const a = l.attacker!;
  const lineY = (l.line.top + l.line.bottom) / 2;
  expect(a.top, `${where('the attacker', a)} is not on ${where('the arrow', l.line)}`).toBeLessThan(lineY);
  expect(a.bottom).toBeGreaterThan(lineY);
  expect(a.left).toBeGreaterThanOrEqual(l.line.left);
  expect(a.right).toBeLessThanOrEqual(l.head.right);
}
