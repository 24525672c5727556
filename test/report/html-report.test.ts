import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenarios } from '../../harness/index.js';
import { runRecords } from '../helpers/run-records.js';
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
    expect(html).not.toContain('<svg class="chain"');
  });
});
