/**
 * The HTML report a teacher projects, in Debian's chromium at 1024 and 1920 px, on a chain with every
 * kind of hop: the injecting client, a real Exim, a MessageLabs-style mock, an external gateway (a relay
 * written for the test) and a mock mailbox, with an on-path attacker stripping STARTTLS between Exim
 * and the gateway. Checked by geometry, not pixels: each arrow ends on its hop, the rows are balanced,
 * the attacker sits on its link's arrow, the kinds of hop are drawn apart and named in the legend, and
 * the scenario's description and the explanation of each link are on the page. Screenshots go to
 * `$TMPDIR/mailhop-screenshots`; with MAILHOP_WRITE_DOCS=1 the 1024 px one is also written to
 * docs/html-report.png (the README's picture). Skipped, with the reason in the title, without chromium or Exim.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { loadScenarioText } from '../../harness/index.js';
import { freePort } from '../../harness/engines/free-address.js';
import { renderHtml } from '../../harness/report/html-report.js';
import type { RunRecord } from '../../harness/report/run-record.js';
import { runRecords } from '../support/chain.js';
import { startRelay } from '../support/external-relay.js';
import { availability } from '../support/engine.js';
import { browserSuiteTitle, hasChromium, openInChromium, saveScreenshot, type OpenedPage } from '../support/open-in-chromium.js';
import { expectAttackerOn, expectReadableDiagram, measureDiagram, rowsOf } from './diagram-geometry.js';

const DESCRIPTION =
  'A real Exim relays with opportunistic TLS to a MessageLabs-style gateway. An on-path attacker on that link strips STARTTLS from the ' +
  "gateway's EHLO reply, so Exim sends in clear. The gateway preserves inbound TLS strictly: the message came in plaintext, so it does " +
  "not even try STARTTLS towards the partner's gateway (an external server), which delivers over TLS. One attacker, two links in clear.";

const scenarioText = (relayPort: number, mailboxPort: number) => `
name: attacker-before-a-messagelabs-gateway
description: "${DESCRIPTION}"
hops:
  - { id: exim, engine: exim }
  - { id: gateway, preset: messagelabs }
  - { id: partner-gw, engine: external, host: 127.0.0.1, port: ${relayPort} }
  - { id: mailbox, port: ${mailboxPort} }
links:
  - { from: exim, to: gateway, fault: strip-starttls }
messages:
  - { from: alice@org.test, to: [bob@partner.test], subject: quarterly figures }
expect:
  links: { "client->exim": tls, "exim->gateway": stripped, "gateway->partner-gw": plain, "partner-gw->mailbox": tls }
  endToEnd: broken
`;
const CHAIN = ['client', 'exim', 'gateway', 'partner-gw', 'mailbox'];
const exim = availability('exim');

describe.skipIf(!hasChromium || !exim.usable)(browserSuiteTitle(`the teacher's HTML report: attacker, real and external hops${exim.usable ? '' : ` — SKIPPED: exim: ${exim.reason}`}`), () => {
  let opened: OpenedPage;
  let page: Page;
  let run: RunRecord;

  beforeAll(async () => {
    const mailboxPort = await freePort('127.0.0.1');
    const relay = await startRelay({ host: '127.0.0.1', port: mailboxPort });
    try {
      [run] = await runRecords([loadScenarioText(scenarioText(relay.port, mailboxPort), 'attacker-before-a-messagelabs-gateway.yaml')]);
    } finally {
      await relay.close();
    }
    opened = await openInChromium(renderHtml([run]));
    page = opened.page;
  }, 90_000);

  afterAll(async () => {
    await opened?.close();
  });

  test('the run itself: the attacker stripped one link and the gateway, preserving plaintext, left the next one plain', () => {
    expect(run.report.failures).toEqual([]);
    expect(run.report.links.map((l) => `${l.link} ${l.verdict}`)).toEqual(['client->exim tls', 'exim->gateway stripped', 'gateway->partner-gw plain', 'partner-gw->mailbox tls']);
  });

  test('at 1024 px: two balanced rows, arrows on their hops, the attacker on exim->gateway; the screenshot is saved', async () => {
    const layout = await measureDiagram(page, 1024);
    expectReadableDiagram(layout, CHAIN);
    expect(rowsOf(layout)).toEqual([['client', 'exim', 'gateway'], ['partner-gw', 'mailbox']]);
    expectAttackerOn(layout, 'exim->gateway', 'strip-starttls');
    const png = await saveScreenshot(page, 'teacher-1024');
    expect(png.readUInt32BE(16)).toBe(1024); // IHDR width
    if (process.env.MAILHOP_WRITE_DOCS === '1') {
      const top = await page.locator('section.scenario').boundingBox();
      const shot = await page.screenshot({ clip: { x: 0, y: Math.max(0, top!.y - 16), width: 1024, height: 720 } });
      await writeFile('docs/html-report.png', shot);
    }
  });

  test('at 1920 px: one line, the attacker on exim->gateway; the screenshot is saved', async () => {
    const layout = await measureDiagram(page, 1920);
    expectReadableDiagram(layout, CHAIN);
    expect(rowsOf(layout)).toHaveLength(1);
    expectAttackerOn(layout, 'exim->gateway', 'strip-starttls');
    await saveScreenshot(page, 'teacher-1920');
  });

  test('real, external, mock hops and the client are drawn apart, and the legend names each', async () => {
    // (A string, so this Node-typed file needs no DOM types.)
    const hops = (await page.evaluate(`[...document.querySelectorAll('.chain g.hop')].map((g) => {
      const box = g.querySelector('rect.box');
      const style = getComputedStyle(box);
      return [g.dataset.hop, g.dataset.kind, g.querySelector('text.kind').textContent, box.getAttribute('rx'), style.strokeWidth, style.strokeDasharray, g.querySelectorAll('rect.band').length].join(' ');
    })`)) as string[];
    expect(hops).toEqual([
      'client client mailhop client 24 1.5px none 0',
      'exim engine real Exim 2 3px none 1',
      'gateway mock mock · messagelabs 8 1.5px none 0',
      'partner-gw external external 8 2px 6px, 4px 0',
      'mailbox mock mock 8 1.5px none 0',
    ]);
    expect(await page.locator('ul.legend li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-legend')))).toEqual([
      'client', 'mock', 'engine', 'external', 'attacker', 'lock-closed', 'lock-open', 'warning',
    ]);
  });

  test('the description and the explanation of each link, in the words `mailhop explain` prints', async () => {
    expect(await page.locator('section.scenario .description').innerText()).toBe(DESCRIPTION);
    const stories = page.locator('details.explain[open] .link-story');
    expect(await stories.evaluateAll((ss) => ss.map((s) => `${s.getAttribute('data-link')} ${s.getAttribute('data-verdict')}`))).toEqual(
      run.report.links.map((l) => `${l.link} ${l.verdict}`),
    );
    const stripped = await page.locator('.link-story[data-link="exim->gateway"]').innerText();
    // Exim's own account is its log: the line that says it relayed m1, quoted.
    expect(stripped).toContain('exim is a real exim, not a mailhop mock: it records no sessions for mailhop, so its own log tells how it sent m1.');
    expect(stripped).toMatch(/exim's log \(exim\): relayed m1 \(250 [^)]*\): ".*=> bob@partner\.test/);
    expect(stripped).toContain('strip-starttls removed "250-STARTTLS" from the EHLO reply');
    expect(stripped).toContain('So: stripped, delivered in plaintext because a fault on the link kept TLS from being used');
    expect(await page.locator('.link-story[data-link="partner-gw->mailbox"]').innerText()).toContain(
      "No sender's account: partner-gw is an external server that mailhop does not drive, so what happened rests on the receiver and the wire.",
    );
    expect(await page.locator('.link-story[data-link="gateway->partner-gw"]').innerText()).toContain(
      'gateway received m1 in plaintext, so under strict preserve-inbound its policy for this message was none',
    );
  });

  test('loads nothing from outside the page', () => {
    expect(opened.external).toEqual([]);
  });
});
