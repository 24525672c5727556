/**
 * The words and the picture of a chain whose hop routes by MX (RFC 5321 §5.1): the routing hop delivers to each MX
 * host itself, so the explanation and the diagram fan out from it (links relay->primary and relay->backup), never
 * one MX host after another; and an MX host given up for the next one in the same attempt is not called a deferral.
 */
import { describe, expect, test } from 'vitest';
import { loadScenarioFile, startChain } from '../../harness/index.js';
import { renderExplanation } from '../../harness/report/explain-report.js';
import { renderChainDiagram } from '../../harness/report/html-diagram.js';
import { renderScenario } from '../../harness/report/text-report.js';
import { stripVTControlCharacters } from 'node:util';
import { runInline } from '../support/chain.js';

/** Runs a bundled scenario: its explanation (one paragraph per line) and its diagram's HTML. */
async function explainAndDraw(name: string): Promise<{ text: string; html: string }> {
  const { scenario, file } = await loadScenarioFile(`scenarios/${name}.yaml`);
  await using chain = await startChain(scenario, { file });
  const report = await chain.run();
  const events = chain.events();
  return { text: renderExplanation(scenario, report, events, Infinity), html: renderChainDiagram({ report, events, scenario }, 'c').html };
}

describe('a hop routing by MX, explained and drawn', () => {
  test('backup MX: the chain fans out from relay to primary and backup; primary given up for backup at once, not deferred', async () => {
    const { text, html } = await explainAndDraw('dns/backup-mx-without-starttls-takes-the-mail');
    expect(text).toContain('The chain: client → relay, which routes each recipient domain to its MX hosts: relay → primary, relay → backup.');
    // The reset fault cut the connection before any reply to STARTTLS: nothing "answered".
    expect(text).toContain('primary advertised STARTTLS and relay sent it; no reply to it came from primary. On the link between relay and primary, the reset fault acted: reset the connection on STARTTLS.');
    expect(text).toContain(
      'The message content never crossed; relay gave primary up (451 4.4.1 connection error: read ECONNRESET (waiting for the reply to STARTTLS)) and went on at once to the next MX host, backup (RFC 5321 §5.1).',
    );
    expect(text).not.toContain('relay deferred it');
    // The verdict's meaning names what stopped it here: an attacker's reset, neither a policy nor a reply.
    expect(text).toContain('So: refused, attempted, but policy, replies or a lost connection stopped the message before its content crossed.');
    // The picture: client and relay on the line, then a fan holding one branch per MX host, each arrow from relay.
    expect(html).toContain('aria-label="chain client -&gt; relay, which routes by MX to primary or backup: client-&gt;relay tls, relay-&gt;primary refused (attacker: reset), relay-&gt;backup plain"');
    const fan = /<div class="fan step-2">(.*?)<\/div>/.exec(html)?.[1] ?? '';
    expect([...fan.matchAll(/data-link="([^"]+)"/g)].map((m) => m[1])).toEqual(['relay-&gt;primary', 'relay-&gt;backup']);
    expect([...fan.matchAll(/data-hop="([^"]+)"/g)].map((m) => m[1])).toEqual(['primary', 'backup']);
    expect(fan.match(/class="trunk"/g)).toHaveLength(2);
  });

  test('MTA-STS: the attempt that fetched the policy and the ones that took it from the cache are told apart', async () => {
    const { text } = await explainAndDraw('dns/mta-sts-enforce-strip-held');
    const story = text.split('\n').filter((l) => /^\s*Attempts? \d/.test(l)).map((l) => l.trim());
    expect(story).toHaveLength(2);
    expect(story[0]).toMatch(/^Attempt 1: relay relayed m1 to mx under MTA-STS: partner\.test publishes MTA-STS enforce \(id 20261201, fetched\)/);
    expect(story[1]).toMatch(/^Attempts 2–4 \(at \+10m, \+20m, \+30m\) went the same way: relay relayed m1 to mx under MTA-STS: partner\.test publishes MTA-STS enforce \(id 20261201, cached\)/);
  });

  test('every MX host failing: the copy is deferred, not handed on', async () => {
    const { text } = await explainAndDraw('dns/dane-strip-starttls-held');
    expect(text).toContain('The message content never crossed; relay deferred it (450 4.7.4 TLS is required, but was not offered by host mx.mailhop.test)');
  });
});

describe('the Received headers line of a split message', () => {
  test('counts each link once, though both copies\' headers tell of the link they shared', async () => {
    const run = await runInline({
      hops: [{ id: 'gateway', outbound: { tls: 'opportunistic', route: 'mx' } }, { id: 'mx-a' }, { id: 'mx-b' }],
      dns: { 'partner.test': { mx: [{ hop: 'mx-a', preference: 10 }] }, 'other.test': { mx: [{ hop: 'mx-b', preference: 10 }] } },
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test', 'carol@other.test'] }],
    });
    // Both copies arrived, each with its own Received headers: client->gateway is told twice.
    expect(run.mailbox.map((m) => m.to)).toEqual([['bob@partner.test'], ['carol@other.test']]);
    expect(run.report.headers?.map((h) => h.link)).toEqual(['client->gateway', 'gateway->mx-a', 'client->gateway', 'gateway->mx-b']);
    expect(stripVTControlCharacters(renderScenario(run.report))).toContain('✔ Received headers of m1 match the wire on all 3 links');
  });
});
