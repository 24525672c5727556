/**
 * Opens rendered HTML in Debian's chromium (headless, driven by playwright-core, no browser download)
 * for the browser suites of test/report. The page must be self-contained: every request that leaves
 * it is recorded in `external` and refused. Without the browser a suite is reported as skipped, with
 * the reason in its title ({@link browserSuiteTitle}).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium; MAILHOP_CHROMIUM points elsewhere (or nowhere, to see the skip). */
export const CHROMIUM = process.env.MAILHOP_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** `what`, or `what — SKIPPED: <why>` where the browser is missing. */
export function browserSuiteTitle(what: string): string {
  return hasChromium ? what : `${what} — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`;
}

/**
 * Where the browser suites leave their screenshots for a person to look at after a run (kept, one file
 * per name, overwritten by the next run): `$TMPDIR/mailhop-screenshots`.
 */
export const SCREENSHOTS = join(tmpdir(), 'mailhop-screenshots');

/** Saves a screenshot of what `page` shows now as `<SCREENSHOTS>/<name>.png`; resolves to the PNG. */
export async function saveScreenshot(page: Page, name: string): Promise<Buffer> {
  const png = await page.screenshot({ fullPage: false });
  await mkdir(SCREENSHOTS, { recursive: true });
  await writeFile(join(SCREENSHOTS, `${name}.png`), png);
  return png;
}

/** A page showing the HTML; `close()` ends the browser and removes the temporary directory. */
export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** The directory holding `report.html` (and whatever a test writes beside it). */
  dir: string;
  /** URLs the page tried to load from outside itself (refused). */
  external: string[];
  close(): Promise<void>;
}

/** Writes `html` to a temporary `report.html` and opens it at `viewport` (CSS pixels), light colour scheme. */
export async function openInChromium(html: string, viewport = { width: 1200, height: 900 }): Promise<OpenedPage> {
  const dir = await mkdtemp(join(tmpdir(), 'mailhop-html-'));
  const file = join(dir, 'report.html');
  await writeFile(file, html);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
    colorScheme: 'light',
  });
  const external: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(`file://${file}`);
  return {
    page,
    context,
    dir,
    external,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
