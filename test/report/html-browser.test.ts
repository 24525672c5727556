/**
 * The HTML report as a person sees it: rendered by Debian's chromium (headless, driven by
 * playwright-core, no browser download), with the lock marks and link names read back from the DOM
 * and a screenshot checked for real content. Without /usr/bin/chromium the suite is reported as
 * skipped, with the reason in its title. (html-diagram-layout.test.ts measures a long chain.)
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { loadScenarios } from '../../harness/index.js';
import { runRecords } from '../support/chain.js';
import { renderHtml } from '../../harness/report/html-report.js';
import type { RunRecord } from '../../harness/report/run-record.js';
import { browserSuiteTitle, hasChromium, openInChromium, type OpenedPage } from '../support/open-in-chromium.js';

/** The same run with a link fault recorded on one connection of `link`, as the link faults record them. */
function withFault(run: RunRecord, link: string): RunRecord {
  let done = false;
  const events = run.events.map((e) => {
    if (done || e.kind !== 'wire' || e.link !== link) return e;
    done = true;
    return { ...e, record: { ...e.record, faults: [{ at: 0, fault: 'strip-starttls', dir: 'S' as const, action: 'replace', detail: '250-STARTTLS' }] } };
  });
  return { ...run, events };
}

describe.skipIf(!hasChromium)(browserSuiteTitle('HTML report in headless chromium'), () => {
  let opened: OpenedPage;
  let page: Page;
  let dir: string;
  let external: string[];

  beforeAll(async () => {
    const loaded = await loadScenarios(['scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml', 'scenarios/all-hops-verify-encrypted-verified.yaml', 'scenarios/mandatory-to-hop-without-starttls-held.yaml']);
    const [plaintext, verified, held] = await runRecords(loaded);
    opened = await openInChromium(renderHtml([plaintext, withFault(verified, 'sender->relay'), held]));
    ({ page, dir, external } = opened);
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  test('draws each chain with closed and open locks on the right links', async () => {
    const links = await page.$$eval('section[data-scenario] .chain g.link', (gs) =>
      gs.map((g) => `${g.closest('section')!.getAttribute('data-scenario')} ${g.getAttribute('data-link')} ${g.getAttribute('data-lock')} ${g.getAttribute('data-warning')}`),
    );
    expect(links).toEqual([
      'messagelabs-plaintext-inbound-not-upgraded client->sendmail closed false',
      'messagelabs-plaintext-inbound-not-upgraded sendmail->gateway open false',
      'messagelabs-plaintext-inbound-not-upgraded gateway->mailbox open false',
      'all-hops-verify-encrypted-verified client->sender closed false',
      'all-hops-verify-encrypted-verified sender->relay closed true',
      'all-hops-verify-encrypted-verified relay->mailbox closed false',
      'mandatory-to-hop-without-starttls-held client->sender closed false',
      'mandatory-to-hop-without-starttls-held sender->relay closed false',
      'mandatory-to-hop-without-starttls-held relay->mailbox refused false',
    ]);
    // The marks are drawn, not only attributes: a lock icon per reached link, the warning where the fault acted.
    expect(await page.locator('.chain use.lock-closed').count()).toBe(6);
    expect(await page.locator('.chain use.lock-open').count()).toBe(2);
    expect(await page.locator('.chain use.lock-refused').count()).toBe(1);
    expect(await page.locator('[data-link="sender->relay"] use.warning-mark').count()).toBe(1);
    // The fault the wire recorded is drawn as an attacker on that arrow, and only there.
    expect(await page.locator('.chain g.attacker').evaluateAll((gs) => gs.map((g) => `${g.closest('g.link')!.getAttribute('data-link')} ${g.getAttribute('data-fault')} ${g.getAttribute('data-acted')}`))).toEqual([
      'sender->relay strip-starttls true',
    ]);
    expect(await page.locator('.chain g.hop text:first-of-type').allTextContents()).toEqual(['client', 'sendmail', 'gateway', 'mailbox', 'client', 'sender', 'relay', 'mailbox', 'client', 'sender', 'relay', 'mailbox']);
  });

  test('shows the link names, the attempts and the transcripts with the handshake summarised', async () => {
    const section = page.locator('section[data-scenario="messagelabs-plaintext-inbound-not-upgraded"]');
    expect(await section.locator('table.links tbody tr td:first-child').allInnerTexts()).toEqual(['client->sendmail', 'sendmail->gateway', 'gateway->mailbox']);
    const tlsLink = section.locator('details.link[data-link="client->sendmail"]');
    expect(await tlsLink.getAttribute('open')).toBeNull(); // a TLS link starts folded
    const clearLink = section.locator('details.link[data-link="gateway->mailbox"]');
    expect(await clearLink.getAttribute('open')).toBe('');
    expect(await clearLink.locator('pre.transcript').innerText()).toContain('C: EHLO gateway.mailhop.test');
    expect(await clearLink.locator('.wire').innerText()).toContain('no TLS handshake; message content in clear (m1,');
    expect(await tlsLink.locator('pre.transcript').textContent()).toContain('[TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384, certificate valid]');
    const faulted = page.locator('section[data-scenario="all-hops-verify-encrypted-verified"] details.link[data-link="sender->relay"]');
    expect(await faulted.locator('p.warning').innerText()).toBe('⚠ link faults acted: strip-starttls (replace)');
  });

  test('loads nothing from outside the page', () => {
    expect(external).toEqual([]);
  });

  test('a screenshot has real content: text, red and blue-green marks, not a blank page', async () => {
    const png = await page.screenshot({ fullPage: false });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1200); // IHDR width
    expect(png.readUInt32BE(20)).toBe(900); // IHDR height
    await writeFile(join(dir, 'report.png'), png);
    // Decode in the browser and count pixels: how much is not background, and how much is the
    // verdict colours (red for in clear, blue/green for TLS).
    // (A string, so this Node-typed file needs no DOM types.)
    const stats = (await page.evaluate(`(async (b64) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d');
      g.drawImage(img, 0, 0);
      const { data } = g.getImageData(0, 0, img.width, img.height);
      let ink = 0, red = 0, cool = 0;
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i], gr = data[i + 1], b = data[i + 2];
        if (r < 235 || gr < 235 || b < 235) ink++;
        if (r > 170 && gr < 80 && b < 80) red++;
        if ((b > 170 && r < 60) || (gr > 100 && r < 60 && b < 90)) cool++;
      }
      return { ink: ink / (data.length / 4), red, cool };
    })(${JSON.stringify(png.toString('base64'))})`)) as { ink: number; red: number; cool: number };
    expect(stats.ink).toBeGreaterThan(0.03);
    expect(stats.red).toBeGreaterThan(200);
    expect(stats.cool).toBeGreaterThan(200);
  });
});
