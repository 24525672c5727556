import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenarios, loadScenarioText } from '../../harness/index.js';
import { renderExplanation } from '../../harness/report/explain-report.js';
import { runRecords } from '../support/chain.js';
import { renderHtml } from '../../harness/report/html-report.js';
import type { RunRecord } from '../../harness/report/run-record.js';

let runs: RunRecord[];

beforeAll(async () => {
  runs = await runRecords(await loadScenarios(['scenarios/postfix-plaintext-after-five-minutes.yaml', 'scenarios/implicit-tls-hop.yaml']));
});

describe('renderHtml', () => {
  test('is one self-contained page: inline style and SVG, no script, no external reference', () => {
    const html = renderHtml(runs);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link |<img |@import|url\(/i);
    // Every href/src points inside the page.
    for (const [, ref] of html.matchAll(/(?:href|src)="([^"]*)"/g)) expect(ref.startsWith('#')).toBe(true);
  });

  test('a section per scenario with its diagram, link table, expectations and per-link transcripts', () => {
    const html = renderHtml(runs);
    expect(html.match(/<section class="scenario"/g)).toHaveLength(2);
    expect(html).toContain('<p class="summary">2 scenarios: 2 passed, 0 failed</p>');
    expect(html).toContain('data-link="relay-&gt;mailbox" data-verdict="downgraded" data-lock="open" data-warning="false"');
    // The Postfix fallback: attempt 1 failed the handshake; attempt 2 tried again, then reconnected in plaintext.
    expect(html).toMatch(/<td>attempt 1<\/td><td>opportunistic<\/td><td>advertised, sent → 220 2\.0\.0 Ready to start TLS<\/td><td><span class="v-clear">handshake-failure<\/span><\/td>/);
    expect(html).toMatch(/<td>attempt 2, connection 2<\/td><td>opportunistic<\/td><td>skipped \(plaintext retry\)<\/td>/);
    expect(html).toContain('wire relay-&gt;mailbox#1: TLS handshake failed (alert protocol_version)');
    // Implicit TLS (RFC 8314): the wire saw TLS from the first byte.
    expect(html).toContain('implicit TLS from the first byte');
  });

  test('escapes what it quotes', () => {
    const html = renderHtml(runs, { title: '<b>x</b>' });
    expect(html).toContain('<title>&lt;b&gt;x&lt;/b&gt;</title>');
    expect(html).toContain('S: 354 End data with &lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt;');
  });

  test('a chain that did not start is a failed section with its reason and no diagram', () => {
    const failed: RunRecord = {
      report: { name: 'broken-chain', passed: false, outcome: 'mixed', endToEnd: 'mixed', links: [], messages: [], attempts: 0, expectations: [], failures: ['the chain failed: EADDRINUSE'], dsns: [] },
      events: [],
    };
    const html = renderHtml([failed]);
    expect(html).toContain('<ul class="failures"><li>the chain failed: EADDRINUSE</li></ul>');
    expect(html).not.toContain('class="chain"');
    expect(html).not.toContain('What the Received headers say');
  });
});

describe('renderHtml: what the Received headers say', () => {
  let enull: RunRecord;

  beforeAll(async () => {
    [enull] = await runRecords(await loadScenarios(['scenarios/enull-cipher-says-esmtps-but-is-not-encrypted.yaml']));
  });

  test('where the headers say ESMTPS but an eNULL link crossed in clear: both accounts, the consequence and the header', () => {
    const html = renderHtml([enull]);
    expect(html).toContain('<h3>What the Received headers say</h3>');
    expect(html).toContain('<div class="headers disagree" data-message="m1" data-agrees="false"><p class="warning">⚠ Received headers of m1 disagree with the wire on 1 of 2 links:</p>');
    expect(html).toContain(
      '<td class="mono">relay-&gt;mailbox</td><td><strong>TLS (with ESMTPS, TLSv1.2 TLS_ECDHE_ECDSA_WITH_NULL_SHA)</strong></td><td><strong class="v-clear">in clear (downgraded)</strong></td></tr>',
    );
    expect(html).toContain(
      '<td colspan="3">a recipient would believe this link was encrypted, but the content crossed in clear (eNULL cipher TLS_ECDHE_ECDSA_WITH_NULL_SHA: TLS framing without encryption)<div class="received mono">Received: from relay.mailhop.test',
    );
    // The link that agrees is listed too, for context, with a tick.
    expect(html).toContain('<tr class="agree" data-link="client-&gt;relay"><td>✔</td><td class="mono">client-&gt;relay</td><td>TLS (with ESMTPS, TLSv1.3 TLS_AES_256_GCM_SHA384)</td><td>encrypted (TLSv1.3 TLS_AES_256_GCM_SHA384)</td></tr>');
    // The diagram and the link details carry the warning too.
    expect(html).toContain('data-link="relay-&gt;mailbox" data-verdict="downgraded" data-lock="open" data-warning="true"');
    expect(html).toContain('<p class="warning">⚠ the Received headers of m1 say TLS, but the content crossed in clear</p>');
    expect(html).not.toContain('match the wire');
  });

  test('where they agree, one line', () => {
    const html = renderHtml(runs);
    // The Postfix fallback delivered in clear, and the mailbox wrote ESMTP: the headers tell the truth.
    expect(html).toContain('<p class="headers agree" data-message="m1" data-agrees="true">✔ Received headers of m1 match the wire on all 3 links.</p>');
    expect(html).not.toContain('class="headers disagree"');
  });
});

describe('renderHtml: what a teacher needs beside the verdicts', () => {
  /** Text of an HTML fragment as a reader sees it (tags dropped, entities decoded, spaces collapsed). */
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();

  test('each scenario shows its description, and the explanation of each link in the words `mailhop explain` prints', () => {
    const html = renderHtml(runs);
    const [postfix] = runs;
    expect(html).toContain(`<div class="description"><p>${postfix.scenario!.description!.trim()}</p></div>`);
    expect(html.match(/<details class="explain" open><summary>What happened, link by link<\/summary>/g)).toHaveLength(2);
    // Each paragraph of a link's story is the paragraph the text explanation prints (one a line at Infinity width).
    const told = renderExplanation(postfix.scenario!, postfix.report, postfix.events, Infinity).split('\n');
    const from = told.indexOf('  relay → mailbox: downgraded') + 1;
    const paragraphs = told.slice(from, told.findIndex((l, i) => i >= from && !l.startsWith('    '))).map((l) => l.trim());
    const story = html.slice(html.indexOf('<div class="link-story" data-message="m1" data-link="relay-&gt;mailbox" data-verdict="downgraded">'));
    const shown = [...story.slice(0, story.indexOf('</div>')).matchAll(/<p class="(\w+)">(.*?)<\/p>/g)].map((m) => [m[1], text(m[2])]);
    expect(shown.map(([, t]) => t)).toEqual(paragraphs);
    expect(shown.map(([kind]) => kind)).toEqual([...paragraphs.slice(1).map(() => 'story'), 'conclusion']);
    expect(paragraphs[0]).toMatch(/^Attempt 1: relay relayed m1 to mailbox under its opportunistic policy/);
  });

  test('a fault declared on a link that never acted is drawn as an idle attacker there', async () => {
    const [idle] = await runRecords([
      loadScenarioText(
        'name: idle-attacker\nhops: [{ id: relay }, { id: mailbox }]\nlinks:\n  - { from: relay, to: mailbox, fault: strip-starttls, attempts: [3] }\nmessages:\n  - { from: alice@org.test, to: [bob@partner.test] }\n',
        'idle-attacker.yaml',
      ),
    ]);
    const html = renderHtml([idle]);
    expect(idle.report.links.map((l) => `${l.link} ${l.verdict}`)).toEqual(['client->relay tls', 'relay->mailbox tls']);
    // (The legend draws one too, without a fault.)
    expect(html.match(/<g class="attacker[^"]*" data-fault="[^"]+"/g)).toEqual(['<g class="attacker idle" data-fault="strip-starttls"']);
    expect(html).toContain('<g class="attacker idle" data-fault="strip-starttls" data-acted="false"><title>on-path attacker on relay-&gt;mailbox: strip-starttls (attempts 3): did not act in this run</title>');
    expect(html).toContain('strip-starttls (idle)</text>');
    expect(html).toContain('data-link="relay-&gt;mailbox" data-verdict="tls" data-lock="closed" data-warning="false" data-attacked="true"');
  });

  test('without its scenario (an older run record) a run still renders, without description or explanation', () => {
    const html = renderHtml([{ report: runs[0].report, events: runs[0].events }]);
    expect(html).toContain('class="chain"');
    expect(html).not.toContain('class="description"');
    expect(html).not.toContain('class="explain"');
  });
});
