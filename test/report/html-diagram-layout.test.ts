/**
 * The chain diagram as a person sees it, measured in Debian's chromium on a narrow (600 px), a
 * projector's (1024 px) and a wide (1920 px) screen: every hop box and every link's marks and labels
 * inside the visible diagram and inside the SVG that draws them (an SVG clips what overflows it), every
 * arrow ending on the hop it names, rows in reading order and balanced (never a last hop alone on its
 * row when two even rows fit), drawn at a legible size. Also the headers section of the same run on
 * the narrow screen. Without /usr/bin/chromium the suite is reported as skipped, with the reason in its title.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { loadScenarios, loadScenarioText } from '../../harness/index.js';
import { runRecords } from '../support/chain.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { browserSuiteTitle, hasChromium, openInChromium, saveScreenshot, type OpenedPage } from '../support/open-in-chromium.js';
import { expectReadableDiagram, measureDiagram, rowsOf } from './diagram-geometry.js';

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

  for (const width of [600, 1024, 1920]) {
    test(`a six-hop chain at ${width} px: every hop and link label on screen, unclipped, arrows on their hops, in balanced rows, at 12 px or more`, async () => {
      const layout = await measureDiagram(sixHops, width);
      expectReadableDiagram(layout, SIX_HOP_IDS);
      expect(layout.links.map((l) => `${l.id} ${l.verdict}`)).toEqual([
        'client->sender tls',
        'sender->outbound-filter tls',
        'outbound-filter->relay tls',
        'relay->partner-gateway downgraded',
        'partner-gateway->spam-scanner tls',
        'spam-scanner->mailbox stripped',
      ]);
      const rows = rowsOf(layout);
      // Wide enough, one line; narrower, it wraps instead of shrinking, in rows of even length.
      if (width >= 1920) expect(rows).toHaveLength(1);
      else expect(rows.length).toBeGreaterThan(1);
      if (width === 1024) expect(rows.map((r) => r.length)).toEqual([4, 3]);
      await saveScreenshot(sixHops, `six-hops-${width}`);
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

/** Four hops (five boxes with the client): one line on a wide screen, too wide for one at 1024 px. */
const FOUR_HOPS = `
name: four-hops-wrap
hops: [{ id: sender }, { id: gateway }, { id: relay }, { id: mailbox }]
messages:
  - { from: alice@org.test, to: [bob@partner.test], subject: four hops }
`;

describe.skipIf(!hasChromium)(browserSuiteTitle('HTML chain diagrams of three and four hops at 1024 px in headless chromium'), () => {
  let opened: OpenedPage;

  beforeAll(async () => {
    const runs = await runRecords([loadScenarioText(FOUR_HOPS, 'four-hops-wrap.yaml'), ...(await loadScenarios(['scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml']))]);
    opened = await openInChromium(renderHtml(runs));
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  test('four hops at 1024 px: two balanced rows, the last arrow ending on the last hop, not one hop alone on row 2', async () => {
    const layout = await measureDiagram(opened.page, 1024, '[data-scenario="four-hops-wrap"] .diagram');
    expectReadableDiagram(layout, ['client', 'sender', 'gateway', 'relay', 'mailbox']);
    expect(rowsOf(layout)).toEqual([['client', 'sender', 'gateway'], ['relay', 'mailbox']]);
    await saveScreenshot(opened.page, 'four-hops-1024');
  });

  test('four hops at 1920 px: one line', async () => {
    const layout = await measureDiagram(opened.page, 1920, '[data-scenario="four-hops-wrap"] .diagram');
    expectReadableDiagram(layout, ['client', 'sender', 'gateway', 'relay', 'mailbox']);
    expect(rowsOf(layout)).toHaveLength(1);
    await saveScreenshot(opened.page, 'four-hops-1920');
  });

  test('three hops at 1024 px: one line', async () => {
    const layout = await measureDiagram(opened.page, 1024, '[data-scenario="messagelabs-plaintext-inbound-not-upgraded"] .diagram');
    expectReadableDiagram(layout, ['client', 'sendmail', 'gateway', 'mailbox']);
    expect(rowsOf(layout)).toHaveLength(1);
  });
});
