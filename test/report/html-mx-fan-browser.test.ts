/**
 * The chain diagram of a hop routing by MX, as chromium lays it out: the routing hop fans out, one branch per MX
 * host stacked in a column after it, each arrow leaving the trunk at the routing hop and ending on its MX host's
 * box, never one MX host drawn after another. Without /usr/bin/chromium the suite is reported as skipped.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadScenarios } from '../../harness/index.js';
import { runRecords } from '../support/chain.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { browserSuiteTitle, hasChromium, openInChromium, saveScreenshot, type OpenedPage } from '../support/open-in-chromium.js';
import { inside, measureDiagram, type Box } from './diagram-geometry.js';

/** The trunk segments of the fan, in page coordinates. */
const trunks = `[...document.querySelectorAll('.diagram .fan line.trunk')].map((t) => { const r = t.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; })`;

describe.skipIf(!hasChromium)(browserSuiteTitle('HTML chain diagram of a hop routing by MX in headless chromium'), () => {
  let opened: OpenedPage;

  beforeAll(async () => {
    const runs = await runRecords(await loadScenarios(['scenarios/dns/backup-mx-without-starttls-takes-the-mail.yaml']));
    opened = await openInChromium(renderHtml(runs));
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  for (const width of [600, 1024]) {
    test(`at ${width} px: relay fans out to primary and backup, each arrow from the trunk at relay to its MX host`, async () => {
      const layout = await measureDiagram(opened.page, width);
      expect(layout.pageScrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.hops.map((h) => h.id)).toEqual(['client', 'relay', 'primary', 'backup']);
      expect(layout.links.map((l) => `${l.id} ${l.verdict}`)).toEqual(['client->relay tls', 'relay->primary refused', 'relay->backup plain']);
      const hop = (id: string) => layout.hops.find((h) => h.id === id)!;
      // The MX hosts in one column, primary above backup: siblings, not a line.
      expect(hop('backup').box.left).toBeCloseTo(hop('primary').box.left, 0);
      expect(hop('backup').box.top).toBeGreaterThanOrEqual(hop('primary').box.bottom);
      for (const l of layout.links) {
        expect(Math.abs(l.head.right - l.to.left), `${l.id}: the arrow does not end on its box`).toBeLessThanOrEqual(2);
        const tipY = (l.head.top + l.head.bottom) / 2;
        expect(tipY > l.to.top && tipY < l.to.bottom, `${l.id}: the arrow ends beside its box`).toBe(true);
        for (const b of [...l.parts, ...l.labels]) expect(inside(b, layout.diagram), `${l.id}: a mark or label outside the diagram`).toBe(true);
      }
      const [primary, backup] = [layout.links[1], layout.links[2]];
      const sameRow = Math.round(hop('relay').box.top) === Math.round(hop('primary').box.top);
      // Both branches start at the same x: right of relay on its row, or at the start of the next row.
      expect(backup.line.left).toBeCloseTo(primary.line.left, 0);
      if (sameRow) expect(primary.line.left).toBeGreaterThanOrEqual(hop('relay').box.right);
      expect(primary.rowStart).toBe(!sameRow);
      expect(backup.rowStart).toBe(false);
      // The trunk joins the two arrows: one vertical stroke at their start, from primary's arrow down to backup's.
      const t = (await opened.page.evaluate(trunks)) as Box[];
      expect(Math.min(...t.map((b) => b.top))).toBeLessThanOrEqual(primary.line.bottom);
      expect(Math.max(...t.map((b) => b.bottom))).toBeGreaterThanOrEqual(backup.line.top);
      for (const b of t) expect(Math.abs((b.left + b.right) / 2 - primary.line.left)).toBeLessThanOrEqual(3);
      await saveScreenshot(opened.page, `mx-fan-${width}`);
    });
  }
});
