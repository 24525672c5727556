/**
 * The web view of `mailhop up --web` as a person uses it, in Debian's chromium (headless, driven by
 * playwright-core, no browser download): the page is open while mail is sent by hand over SMTP, and each
 * message appears in the list with its verdicts, and the chain diagram changes, without a reload (server-sent
 * events); choosing a message shows its transcripts, its Received headers against the wire and the wire's
 * account. The page loads nothing from elsewhere. A screenshot goes to `$TMPDIR/mailhop-screenshots`; with
 * MAILHOP_WRITE_DOCS=1 also to docs/up-web.png (the README's picture). Skipped, with the reason, without chromium.
 */
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import nodemailer from 'nodemailer';
import { browserSuiteTitle, CHROMIUM, hasChromium, saveScreenshot } from '../support/open-in-chromium.js';
import { upWithWeb, type UpRun } from './up-in-process.js';

/** A plaintext SMTP dialogue on a raw socket (RFC 5321): each reply answered with the next command; resolves to the replies. */
async function sendPlain(port: number, subject: string): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1').setEncoding('utf8');
  const script = ['EHLO tester.local', 'MAIL FROM:<carol@org.test>', 'RCPT TO:<dan@partner.test>', 'DATA', `Subject: ${subject}\r\n\r\nhello\r\n.`, 'QUIT'];
  const replies: string[] = [];
  let pending = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject).on('close', () => resolve());
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let m; (m = pending.match(/^(\d{3} .*)\r\n/m)); ) {
        replies.push(m[1]);
        pending = pending.slice((m.index ?? 0) + m[0].length);
        const next = script.shift();
        if (next) socket.write(`${next}\r\n`);
      }
    });
  });
  return replies;
}

/** The cells of a message's row: `link verdict-or-received text`. */
async function rowOf(page: Page, id: string): Promise<string[]> {
  return page.locator(`tr[data-message="${id}"] td.verdict`).evaluateAll((tds) =>
    tds.map((td) => `${td.getAttribute('data-link') ?? 'end to end'} ${td.getAttribute('data-received') ? `received ${td.getAttribute('data-received')}` : (td.getAttribute('data-verdict') ?? td.getAttribute('data-end-to-end'))}: ${td.textContent!.trim()}`),
  );
}

describe.skipIf(!hasChromium)(browserSuiteTitle('mailhop up --web in headless chromium'), () => {
  let up: UpRun;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const external: string[] = [];

  beforeAll(async () => {
    up = await upWithWeb('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml');
    profile = await mkdtemp(join(tmpdir(), 'mailhop-web-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    const origin = new URL(up.url).origin;
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    page = await context.newPage();
    await page.goto(up.url);
    await page.locator('#live[data-state="live"]').waitFor();
    // Set once: still there after every update only if the page was never reloaded.
    await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await up?.stop();
  });

  test('starts with the chain, where to send to, and no messages', async () => {
    expect(await page.locator('table.hops td.send-to').allTextContents()).toEqual(Object.values(up.sendTo).map((p) => `127.0.0.1:${p}`));
    expect(await page.locator('#diagram g.link').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-link')} ${g.getAttribute('data-verdict')}`))).toEqual([
      'client->sendmail none', 'sendmail->gateway none', 'gateway->mailbox none',
    ]);
    expect(await page.locator('#no-messages').isVisible()).toBe(true);
  });

  test('a message sent by hand with STARTTLS appears with its verdicts, and the diagram follows, without a reload', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: up.sendTo.sendmail, secure: false, name: 'tester.local', tls: { rejectUnauthorized: false } });
    expect((await transport.sendMail({ from: 'alice@org.test', to: 'bob@partner.test', subject: 'quarterly figures', text: 'hello' })).response).toMatch(/^250 /);
    await page.locator('tr[data-message="m1"][data-final="true"]').waitFor();
    expect(await page.locator('tr[data-message="m1"] td').evaluateAll((tds) => tds.slice(0, 5).map((td) => td.textContent))).toEqual([
      'm1', 'alice@org.test', 'bob@partner.test', 'quarterly figures', 'delivered',
    ]);
    expect(await rowOf(page, 'm1')).toEqual([
      'client->sendmail received tls: received over TLS',
      'sendmail->gateway plain: plain',
      'gateway->mailbox plain: plain',
      'end to end broken: broken',
    ]);
    const arrows = page.locator('#diagram g.link');
    await page.locator('#diagram g.link[data-link="gateway->mailbox"][data-verdict="plain"]').waitFor();
    expect(await arrows.evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-link')} ${g.getAttribute('data-received') ?? g.getAttribute('data-verdict')} ${g.getAttribute('data-lock')}`))).toEqual([
      'client->sendmail tls closed', 'sendmail->gateway plain open', 'gateway->mailbox plain open',
    ]);
    expect(await page.locator('#no-messages').isVisible()).toBe(false);

    // A raw plaintext dialogue: the list grows, and the diagram's first link now shows mail that came in clear.
    expect((await sendPlain(up.sendTo.sendmail, 'by hand')).at(-2)).toMatch(/^250 2\.6\.0 /);
    await page.locator('tr[data-message="m2"][data-final="true"]').waitFor();
    expect(await rowOf(page, 'm2')).toEqual([
      'client->sendmail received plain: received in clear',
      'sendmail->gateway plain: plain',
      'gateway->mailbox plain: plain',
      'end to end broken: broken',
    ]);
    await page.locator('#diagram g.link[data-link="client->sendmail"][data-received="plain"][data-lock="open"]').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect(await page.evaluate(() => (performance.getEntriesByType as (type: string) => unknown[])('navigation').length)).toBe(1);
  });

  test('choosing a message shows its transcripts, the wire, and its Received headers against the wire', async () => {
    await page.locator('tr[data-message="m1"]').click();
    const detail = page.locator('#detail[data-message="m1"]');
    await detail.waitFor();
    expect(await detail.locator('h2').textContent()).toBe('Message m1 delivered');
    const entry = detail.locator('details.link[data-link="client->sendmail"]');
    expect(await entry.locator('pre.transcript').isVisible()).toBe(false);
    await entry.locator('summary').click();
    const transcript = await entry.locator('pre.transcript').innerText();
    expect(transcript).toContain('C: EHLO tester.local');
    expect(transcript).toContain('C: STARTTLS\nS: 220 2.0.0 Ready to start TLS');
    expect(await entry.locator('.wire').innerText()).toMatch(/^wire client->sendmail#\d+: TLS handshake established \(TLSv1\.3 /);

    const last = detail.locator('details.link[data-link="gateway->mailbox"]');
    await last.locator('summary').click();
    expect(await last.locator('p.note').allInnerTexts()).toContain('attempt 1: STARTTLS offered by mailbox; not used: preserve-inbound strict, the message arrived at gateway in plaintext');
    expect(await last.locator('pre.transcript').innerText()).toContain('S: 250-STARTTLS\nS: 250 SIZE');
    expect(await last.locator('.wire').innerText()).toMatch(/no TLS handshake; message content in clear \(m1, \d+ bytes\)/);

    expect(await detail.locator('table.headers tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-link')} ${tr.getAttribute('data-agrees')}: ${tr.children[2].textContent} / ${tr.children[3].textContent}`))).toEqual([
      'client->sendmail true: TLS (with ESMTPS, TLSv1.3 TLS_AES_256_GCM_SHA384) / encrypted (TLSv1.3 TLS_AES_256_GCM_SHA384)',
      'sendmail->gateway true: plaintext (with ESMTP) / in clear (plain)',
      'gateway->mailbox true: plaintext (with ESMTP) / in clear (plain)',
    ]);
    expect(await detail.locator('ol.received li').count()).toBe(3);
    expect(external).toEqual([]);

    const png = await saveScreenshot(page, 'up-web');
    expect(png.readUInt32BE(16)).toBe(1280); // IHDR width
    // The README's picture: the chain, the list and the top of the chosen message.
    if (process.env.MAILHOP_WRITE_DOCS === '1') await writeFile('docs/up-web.png', await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1100 } }));
  });

  test('when up stops, the page says it is offline', async () => {
    expect(await up.stop()).toBe(0);
    await page.locator('#live[data-state="offline"]').waitFor();
  });
});
