/**
 * A message split per recipient domain (RFC 5321 §5.1) whose copies fare differently: one delivered over TLS, one
 * bounced for a domain without MX. The message is neither "delivered" nor "bounced" nor "held", so its outcome and
 * end-to-end verdict say `mixed` and the headline names each copy; a scenario claims each copy with
 * `expect.destinations` (or a message's own), and a test with the `toHaveCopyTo` matcher.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import '../../harness/vitest/index.js';
import { forMessages } from '../../harness/vitest/index.js';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { renderScenario } from '../../harness/report/text-report.js';
import { renderExplanation } from '../../harness/report/explain-report.js';
import { join } from 'node:path';
import { readRunFile, writeRunFile } from '../../harness/report/run-file.js';
import { tempDir } from '../support/temp-dir.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** bob@partner.test's copy goes to mx-a over TLS; eve@empty.test's bounces (empty.test has no MX). */
const split = (...expect: string[]) => lines(
  'name: one-copy-delivered-one-bounced',
  'hops:',
  '  - id: relay',
  '    outbound: { tls: opportunistic, route: mx }',
  '  - id: mx-a',
  'dns:',
  '  partner.test:',
  '    mx: [{ hop: mx-a, preference: 10 }]',
  '  empty.test: {}',
  'messages:',
  '  - { from: alice@org.test, to: [bob@partner.test, eve@empty.test] }',
  ...expect,
);

async function run(text: string) {
  const { scenario, file } = loadScenarioText(text, 'split.yaml');
  await using chain = await startChain(scenario, { file });
  const report = await chain.run();
  return { report, events: chain.events(), scenario, dsns: chain.dsns(), mailbox: chain.mailbox() };
}

describe('a split message whose copies fare differently', () => {
  it('is mixed, not bounced or held: the headline and the explanation say each copy', async () => {
    const { report, events, scenario, dsns, mailbox } = await run(split());
    // What happened: bob's copy crossed to mx-a over TLS and arrived; eve's bounced at relay with a DSN.
    const toMx = events.filter((e) => e.kind === 'wire' && e.link === 'relay->mx-a').map((e) => (e.kind === 'wire' ? e.record : undefined)!);
    expect(toMx.map((w) => [w.tls?.version, w.plaintextData])).toEqual([['TLSv1.3', false]]);
    expect(mailbox.map((m) => m.to)).toEqual([['bob@partner.test']]);
    expect(dsns.map((d) => [d.hop, d.reply.text])).toEqual([['relay', '550 5.1.2 empty.test: no MX records (DNS answered no data)']]);
    const [m1] = report.messages;
    expect(m1.destinations?.map((d) => [d.destination, d.outcome, d.endToEnd])).toEqual([['partner.test', 'delivered', 'encrypted'], ['empty.test', 'bounced', 'held']]);
    expect([m1.outcome, m1.endToEnd, report.outcome, report.endToEnd]).toEqual(['mixed', 'mixed', 'mixed', 'mixed']);
    const text = stripVTControlCharacters(renderScenario(report));
    expect(text).toContain('    end to end: mixed · outcome: mixed (copies differ: m1 → partner.test delivered · encrypted, empty.test bounced · held)\n');
    expect(renderExplanation(scenario, report, events, Infinity)).toContain(
      'End to end: mixed, outcome: mixed: its copies, one per recipient domain, fared differently. partner.test: encrypted, delivered, and every link was TLS; delivered, stored in the final mailbox. empty.test: held, not delivered, and never in clear on any link; bounced, given up by a hop, with a DSN to the sender (at relay: 550 5.1.2 empty.test: no MX records (DNS answered no data)).',
    );
  });

  it('a run file with a mixed message reads back (mailhop merge)', async () => {
    const { report, events, scenario } = await run(split());
    const file = join(tempDir('mixed-run-file'), 'run.json');
    await writeRunFile(file, [{ report, events, scenario }], null);
    const [back] = (await readRunFile(file)).records;
    expect([back.report.messages[0].outcome, back.report.messages[0].endToEnd]).toEqual(['mixed', 'mixed']);
  });

  it('copies whose content crossed in clear make the message broken, whatever the others did', async () => {
    const { report } = await run(split().replace('mx-a\n', 'mx-a\n    inbound: { starttls: none }\n'));
    expect(report.messages[0].destinations?.map((d) => d.endToEnd)).toEqual(['broken', 'held']);
    expect([report.messages[0].outcome, report.messages[0].endToEnd]).toEqual(['mixed', 'broken']);
  });

  it('expect.destinations claims each copy: held claims pass, a wrong one fails naming the copy', async () => {
    const { report } = await run(split(
      'expect:',
      '  destinations:',
      '    partner.test: { outcome: delivered, endToEnd: encrypted }',
      '    empty.test: { outcome: delivered }',
    ));
    expect(report.expectations.map((e) => `${e.key} ${e.expected} ${e.actual} ${e.held}`)).toEqual([
      'destinations.partner.test.outcome delivered delivered true',
      'destinations.partner.test.endToEnd encrypted encrypted true',
      'destinations.empty.test.outcome delivered bounced false',
    ]);
    expect(report.failures).toEqual(['expected destinations.empty.test.outcome delivered, got bounced']);
  });

  it('a message\'s own expect.destinations, and a claim on a copy the message does not have', async () => {
    const { report } = await run(split(
      '  - { from: alice@org.test, to: [bob@partner.test], expect: { destinations: { empty.test: { outcome: bounced } } } }',
      'expect:',
      '  destinations: { partner.test: { outcome: delivered } }',
    ));
    expect(report.expectations.map((e) => `${e.messageId ?? '*'} ${e.key} ${e.expected} ${e.actual} ${e.held}`)).toEqual([
      '* destinations.partner.test.outcome delivered delivered true',
      'm2 destinations.empty.test.outcome bounced no copy false',
    ]);
  });

  it('toHaveCopyTo asserts one copy, and its failure names the copy, its stop and its link', async () => {
    const { scenario } = loadScenarioText(split(), 'split.yaml');
    await using chain = await startChain(scenario);
    await chain.run();
    await expect(chain).toHaveCopyTo('partner.test', { outcome: 'delivered', endToEnd: 'encrypted' });
    await expect(forMessages(chain, 'm1')).toHaveCopyTo('empty.test', { outcome: 'bounced' });
    await expect(chain).not.toHaveCopyTo('empty.test', { outcome: 'delivered' });
    await expect(expect(chain).toHaveCopyTo('empty.test', { outcome: 'delivered', endToEnd: 'held' })).rejects.toThrow(
      "expected every message's copy to empty.test in one-copy-delivered-one-bounced to be delivered · held, but m1's copy to empty.test was bounced at relay (550 5.1.2 empty.test: no MX records (DNS answered no data)) · held",
    );
    await expect(expect(chain).toHaveCopyTo('other.test', { outcome: 'delivered' })).rejects.toThrow(
      'm1 has no copy to other.test (its copies went to partner.test, empty.test)',
    );
    await expect(expect(chain).toHaveCopyTo('partner.test', {})).rejects.toThrow('toHaveCopyTo');
  });
});

describe('expect.destinations in the schema', () => {
  it('is refused, located, for a domain with no zone, without a hop routing by MX, and with an unknown key', () => {
    const problems = (text: string) => {
      try {
        loadScenarioText(text, 'claims.yaml');
      } catch (err) {
        return (err as Error).message.split('\n');
      }
      throw new Error('expected the scenario to be refused');
    };
    expect(problems(split(
      'expect:',
      '  destinations:',
      '    nowhere.test: { outcome: delivered }',
      '    partner.test: { outcome: delivered, verdict: tls }',
    ))).toEqual([
      'claims.yaml:14:5: expect.destinations["nowhere.test"]: no destination "nowhere.test"; the recipient domains in dns: are partner.test, empty.test',
      'claims.yaml:15:41: expect.destinations["partner.test"]: unknown key "verdict" (allowed: outcome, endToEnd)',
    ]);
    expect(problems(lines(
      'name: no-routing',
      'hops: [{ id: mailbox }]',
      'messages:',
      '  - { from: alice@org.test, to: [bob@partner.test], expect: { destinations: { partner.test: { outcome: delivered } } } }',
    ))).toEqual([
      'claims.yaml:4:79: messages[0].expect.destinations["partner.test"]: a message is split per destination only by a hop whose outbound says route: mx; no hop does',
    ]);
  });
});

describe('the README\'s example of claims on copies', () => {
  it('loads, and runs to the copies it claims: partner.test\'s waits under DANE, other.test\'s is delivered over TLS', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('A split message whose copies fare differently'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const { report, events } = await run(yaml);
    expect(report.failures).toEqual([]);
    expect(report.expectations.map((e) => `${e.key} ${e.actual}`)).toEqual([
      'destinations.partner.test.outcome deferred', 'destinations.partner.test.endToEnd held',
      'destinations.other.test.outcome delivered', 'destinations.other.test.endToEnd encrypted',
    ]);
    expect([report.messages[0].outcome, report.messages[0].endToEnd]).toEqual(['mixed', 'mixed']);
    // On the wire: the strip on partner-mx's link kept the content from crossing there at all.
    const wire = (link: string) => events.flatMap((e) => (e.kind === 'wire' && e.link === link ? [e.record] : []));
    expect(wire('relay->partner-mx').some((w) => w.plaintextData)).toBe(false);
    expect(wire('relay->other-mx').map((w) => [w.tls?.version, w.plaintextData])).toEqual([['TLSv1.3', false]]);
  });
});
