/**
 * The chain diagram of a long chain as a person sees it, measured in Debian's chromium on a narrow
 * (600 px) and a wide (1920 px) screen: every hop box and every link's marks and labels inside the
 * visible diagram and inside the SVG that draws them (an SVG clips what overflows it), in reading
 * order, and drawn at a legible size. Also the headers section of the same run on the narrow screen.
 * Without /usr/bin/chromium the suite is reported as skipped, with the reason in its title.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { loadScenarioText } from '../../harness/index.js';
import { runRecords } from '../helpers/run-records.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { browserSuiteTitle, hasChromium, openInChromium, type OpenedPage } from './open-in-chromium.js';

/**
 * Six hops (seven boxes with the client), long hop ids, an eNULL link the headers call ESMTPS and a
 * stripped last link: wider than any screen in one line.
 */
const SIX_HOPS = `
name: six-hops-wrap
hops:
  - id: sender
  - id: outbound-filter
  - id: relay
    outbound: { tls: opportunistic, tlsCiphers: "ALL:eNULL:@SECLEVEL=0" }
  - id: partner-gateway
    inbound: { tls: { maxVersion: TLSv1.2, ciphers: "eNULL:@SECLEVEL=0" } }
  - id: spam-scanner
  - id: mailbox
links:
  - { from: spam-scanner, to: mailbox, fault: strip-starttls }
messages:
  - { from: alice@org.test, to: [bob@partner.test], subject: six hops }
`;
const SIX_HOP_IDS = ['client', 'sender', 'outbound-filter', 'relay', 'partner-gateway', 'spam-scanner', 'mailbox'];

type Box = { left: number; right: number; top: number; bottom: number };
/** What the diagram looks like on screen, measured in the page (CSS pixels). */
interface DiagramLayout {
  innerWidth: number;
  pageScrollWidth: number;
  diagram: Box & { clientWidth: number; scrollWidth: number };
  hops: Array<{ id: string; svg: Box; box: Box; text: Box; px: number }>;
  links: Array<{ id: string; verdict: string; svg: Box; from: Box; parts: Box[]; labels: Array<Box & { px: number }> }>;
}

/** Measures the first diagram; `px` is the font size as drawn (computed size times the SVG's screen scale). (A string, so this Node-typed file needs no DOM types.) */
const MEASURE = `(() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const px = (t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
  const diagram = document.querySelector('.diagram');
  return {
    innerWidth,
    pageScrollWidth: document.documentElement.scrollWidth,
    diagram: { ...box(diagram), clientWidth: diagram.clientWidth, scrollWidth: diagram.scrollWidth },
    hops: [...diagram.querySelectorAll('g.hop')].map((g) => ({
      id: g.getAttribute('data-hop'), svg: box(g.ownerSVGElement), box: box(g.querySelector('rect')), text: box(g.querySelector('text')), px: px(g.querySelector('text')),
    })),
    links: [...diagram.querySelectorAll('g.link')].map((g) => ({
      id: g.getAttribute('data-link'),
      verdict: g.querySelector('text.verdict').textContent,
      svg: box(g.ownerSVGElement),
      from: box(g.ownerSVGElement.querySelector('g.hop rect')),
      parts: [...g.querySelectorAll('line, path, use')].map(box),
      labels: [...g.querySelectorAll('text')].map((t) => ({ ...box(t), px: px(t) })),
    })),
  };
})()`;

const inside = (inner: Box, outer: Box, slack = 0.5) =>
  inner.left >= outer.left - slack && inner.right <= outer.right + slack && inner.top >= outer.top - slack && inner.bottom <= outer.bottom + slack;
const overlapsX = (a: Box, b: Box) => a.left < b.right && b.left < a.right;

describe.skipIf(!hasChromium)(browserSuiteTitle('HTML chain diagram of six hops in headless chromium'), () => {
  let opened: OpenedPage;
  let sixHops: Page;

  beforeAll(async () => {
    const [six] = await runRecords([loadScenarioText(SIX_HOPS, 'six-hops-wrap.yaml')]);
    opened = await openInChromium(renderHtml([six]));
    sixHops = opened.page;
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  for (const width of [600, 1920]) {
    test(`a six-hop chain at ${width} px: every hop and link label on screen, unclipped, in reading order, at 12 px or more`, async () => {
      await sixHops.setViewportSize({ width, height: 900 });
      const layout = (await sixHops.evaluate(MEASURE)) as DiagramLayout;
      const where = (what: string, b: Box) => `${what} at ${Math.round(b.left)}..${Math.round(b.right)} x ${Math.round(b.top)}..${Math.round(b.bottom)}`;

      // Nothing needs a sideways scroll: not the page, not the diagram.
      expect(layout.pageScrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.diagram.scrollWidth).toBeLessThanOrEqual(layout.diagram.clientWidth);
      expect(layout.diagram.right).toBeLessThanOrEqual(layout.innerWidth);

      // Every hop: its box and its name drawn inside its SVG (an SVG clips what overflows it) and inside the
      // diagram; the name inside the box; legible.
      expect(layout.hops.map((h) => h.id)).toEqual(SIX_HOP_IDS);
      for (const h of layout.hops) {
        for (const [what, b] of [['box', h.box], ['name', h.text]] as const) {
          expect(inside(b, h.svg), `${h.id} ${where(what, b)} outside ${where('its svg', h.svg)}`).toBe(true);
          expect(inside(b, layout.diagram), `${h.id} ${where(what, b)} outside ${where('the diagram', layout.diagram)}`).toBe(true);
        }
        expect(inside(h.text, h.box), `${h.id}: ${where('name', h.text)} overflows ${where('its box', h.box)}`).toBe(true);
        expect(h.px).toBeGreaterThanOrEqual(13);
      }

      // Every link: arrow, lock, warning and both labels inside its SVG and the diagram, right of the box it
      // leaves (not over it); labels legible.
      expect(layout.links.map((l) => `${l.id} ${l.verdict}`)).toEqual([
        'client->sender tls',
        'sender->outbound-filter tls',
        'outbound-filter->relay tls',
        'relay->partner-gateway downgraded',
        'partner-gateway->spam-scanner tls',
        'spam-scanner->mailbox stripped',
      ]);
      for (const l of layout.links) {
        for (const b of [...l.parts, ...l.labels]) {
          expect(inside(b, l.svg), `${l.id}: ${where('a mark or label', b)} outside ${where('its svg', l.svg)}`).toBe(true);
          expect(inside(b, layout.diagram), `${l.id}: ${where('a mark or label', b)} outside ${where('the diagram', layout.diagram)}`).toBe(true);
          expect(b.left, `${l.id}: ${where('a mark or label', b)} over ${where('the hop box', l.from)}`).toBeGreaterThanOrEqual(l.from.right);
        }
        for (const t of l.labels) expect(t.px).toBeGreaterThanOrEqual(12);
      }

      // Read like text: left to right, then the next row; each row's steps side by side, never on top of each other.
      const rows = [...new Set(layout.hops.map((h) => Math.round(h.box.top)))];
      const readingOrder = [...layout.hops].sort((a, b) => Math.round(a.box.top) - Math.round(b.box.top) || a.box.left - b.box.left);
      expect(readingOrder.map((h) => h.id)).toEqual(SIX_HOP_IDS);
      for (const [i, a] of layout.hops.entries()) {
        for (const b of layout.hops.slice(i + 1)) if (Math.round(a.box.top) === Math.round(b.box.top)) expect(overlapsX(a.svg, b.svg)).toBe(false);
      }
      // Wide enough, one line; narrow, it wraps instead of shrinking.
      if (width >= 1920) expect(rows).toHaveLength(1);
      else expect(rows.length).toBeGreaterThan(1);
    });
  }

  test('the headers section shows the eNULL link the mailbox wrote as ESMTPS, readable on a 600 px screen', async () => {
    await sixHops.setViewportSize({ width: 600, height: 900 });
    const disagree = sixHops.locator('.headers[data-agrees="false"] tr.disagree');
    expect(await disagree.count()).toBe(1);
    expect(await disagree.getAttribute('data-link')).toBe('relay->partner-gateway');
    expect((await disagree.innerText()).split('\t')).toEqual(['', 'relay->partner-gateway', 'TLS (with ESMTPS, TLSv1.2 TLS_ECDHE_ECDSA_WITH_NULL_SHA)', 'in clear (downgraded)']);
    const why = sixHops.locator('.headers[data-agrees="false"] tr.why');
    expect(await why.innerText()).toContain('a recipient would believe this link was encrypted, but the content crossed in clear');
    const table = await sixHops.locator('table.headers').boundingBox();
    expect(table!.x + table!.width).toBeLessThanOrEqual(600);
  });

  test('loads nothing from outside the page', () => {
    expect(opened.external).toEqual([]);
  });
});
