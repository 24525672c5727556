/**
 * A bad `dns:` block, or MX routing that does not make one chain, is refused before anything starts, every problem
 * with its file:line:column and key path, beside the file's other problems.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { refusedProblems } from '../support/scenario-problems.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const NO_ROUTER = 'no hop routes by MX, so nothing would look these zones up: add route: mx to the outbound of the hop that delivers to the recipient domains (and dane or mtaSts to use their policies), or remove the dns: block';

const problems = (text: string): string[] => refusedProblems(text, 'dns.yaml');

describe('the dns: block', () => {
  it('lists every problem of the zones, the records and the routing, located', () => {
    expect(problems(lines(
      'name: bad-dns',
      'submit: { route: mx }',
      'hops:',
      '  - id: relay',
      '    outbound: { route: mx }',
      '  - id: mx-a',
      '  - id: stray',
      'dns:',
      '  partner.test:',
      '    dnssec: signed',
      '    mx: [{ hop: mx-z, preference: 10 }, { hop: mx-a, preference: 70000 }]',
      '    tlsa:',
      '      mx-a: [{ usage: 4, selector: 1, matchingType: 1, matches: served-key }]',
      '      ghost: [{ usage: 3, selector: 1, matchingType: 1, matches: nothing }]',
      '  Bad_Domain: {}',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'dns.yaml:2:18: submit.route: route is for a hop\'s outbound; the injecting client always submits to the first hop',
      'dns.yaml:7:9: hops[2].id: stray comes after relay, which routes by MX, but no MX record names it: nothing would deliver to it (MX records name "mx-z", which no hop is)',
      'dns.yaml:10:13: dns["partner.test"].dnssec: must be one of secure, insecure, bogus, servfail, timeout; got "signed"',
      'dns.yaml:11:17: dns["partner.test"].mx[0].hop: no hop "mx-z"; the hops are relay, mx-a, stray',
      'dns.yaml:11:66: dns["partner.test"].mx[1].preference: must be <= 65535; got 70000',
      'dns.yaml:13:23: dns["partner.test"].tlsa["mx-a"][0].usage: must be <= 3; got 4',
      'dns.yaml:14:7: dns["partner.test"].tlsa.ghost: no hop "ghost"; TLSA records are keyed by the id of the hop they describe',
      'dns.yaml:14:66: dns["partner.test"].tlsa.ghost[0].matches: must be one of served-key, old-key, issuer, garbage; got "nothing"',
      'dns.yaml:15:3: dns: key "Bad_Domain" must be a lower-case domain name like partner.test',
    ]);
  });

  it('refuses route: mx without a dns: block, a second router, and an MX target before the router', () => {
    expect(problems(lines(
      'name: bad-routing',
      'hops:',
      '  - id: mx-a',
      '  - id: relay',
      '    outbound: { route: mx }',
      '  - id: again',
      '    outbound: { route: mx }',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'dns.yaml:5:24: hops[1].outbound.route: route: mx looks recipient domains up in the run\'s DNS: add a dns: block with their zones',
      'dns.yaml:6:9: hops[2].id: again comes after relay, which routes by MX, but no MX record names it: nothing would deliver to it',
      'dns.yaml:7:24: hops[2].outbound.route: only one hop may route by MX; relay does already',
    ]);
    expect(problems(lines(
      'name: mx-before-router',
      'hops:',
      '  - id: mx-a',
      '  - id: relay',
      '    outbound: { route: mx }',
      '  - id: mx-b',
      'dns:',
      '  partner.test: { mx: [{ hop: mx-a, preference: 10 }, { hop: mx-b, preference: 20 }] }',
      'links: [{ from: mx-a, to: mx-b, fault: strip-starttls }]',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'dns.yaml:8:31: dns["partner.test"].mx[0].hop: mx-a is an MX target, so it must come after relay, the hop that routes by MX',
      'dns.yaml:9:27: links[0].to: no such link "mx-a->mx-b"; the link from mx-a goes to relay',
    ]);
  });

  it('refuses dane on a hop that does not route by MX: it would never look a TLSA record up', () => {
    expect(problems(lines(
      'name: dane-without-mx',
      'hops:',
      '  - id: relay',
      '    outbound: { tls: opportunistic, dane: honor }',
      '  - id: mailbox',
      'dns:',
      '  partner.test: { dnssec: secure, mx: [{ hop: mailbox, preference: 10 }] }',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'dns.yaml:4:43: hops[0].outbound.dane: dane: honor applies to the MX hosts of a hop that routes by MX: add route: mx (and a dns: zone for the recipient domain), or drop dane',
      `dns.yaml:7:3: dns: ${NO_ROUTER}`,
    ]);
  });

  it('refuses daneRequiredMissing without dane: require and mtaStsCache without mtaSts: honor: alone they do nothing', () => {
    expect(problems(lines(
      'name: keys-that-do-nothing',
      'hops:',
      '  - id: relay',
      '    outbound:',
      '      route: mx',
      '      dane: honor',
      '      daneRequiredMissing: bounce',
      '      mtaStsCache: { partner.test: { id: "1", mode: enforce, mx: ["*.mailhop.test"] } }',
      '  - id: mx',
      'dns:',
      '  partner.test: { dnssec: secure, mx: [{ hop: mx, preference: 10 }] }',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'dns.yaml:7:28: hops[0].outbound.daneRequiredMissing: daneRequiredMissing is what dane: require does with an MX host without usable TLSA records; this outbound\'s dane is honor, so it would do nothing: write dane: require, or drop daneRequiredMissing',
      'dns.yaml:8:20: hops[0].outbound.mtaStsCache: mtaStsCache seeds the policy cache that mtaSts: honor reads; this outbound\'s mtaSts is ignore, so it would do nothing: write mtaSts: honor, or drop mtaStsCache',
    ]);
  });

  it('refuses a dns: block that no hop asks: without route: mx the zones would be served and never looked up', () => {
    // A signed zone with TLSA for the next hop, on a chain that is a line: the run would go as if DNS said nothing.
    expect(problems(lines(
      'name: dns-nobody-asks',
      'hops:',
      '  - id: relay',
      '    outbound: { tls: opportunistic }',
      '  - id: mx',
      'dns:',
      '  partner.test:',
      '    dnssec: secure',
      '    mx: [{ hop: mx, preference: 10 }]',
      '    tlsa: { mx: [{ usage: 3, selector: 1, matchingType: 1, matches: served-key }] }',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([`dns.yaml:7:3: dns: ${NO_ROUTER}`]);
  });

  it('names the links of a router: one to every MX target, for faults and expectations', () => {
    expect(problems(lines(
      'name: router-links',
      'hops:',
      '  - id: relay',
      '    outbound: { route: mx }',
      '  - id: mx-a',
      '  - id: mx-b',
      'dns:',
      '  partner.test: { mx: [{ hop: mx-a, preference: 10 }, { hop: mx-b, preference: 20 }] }',
      'links: [{ from: relay, to: client, fault: strip-starttls }]',
      'expect: { links: { "mx-a->mx-b": tls } }',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'dns.yaml:9:28: links[0].to: no such link "relay->client"; the links from relay go to mx-a, mx-b',
      'dns.yaml:10:20: expect.links["mx-a->mx-b"]: no such link "mx-a->mx-b"; the links are client->relay, relay->mx-a, relay->mx-b',
    ]);
  });
});

describe('the README\'s dns: example', () => {
  it('loads, and runs to the outcome it claims', async () => {
    const { readFile } = await import('node:fs/promises');
    const { startChain } = await import('../../harness/chain/chain.js');
    const readme = await readFile('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### DNS: MX routing and DANE'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const { scenario } = loadScenarioText(yaml, 'README.md');
    await using chain = await startChain(scenario);
    const report = await chain.run();
    expect(report.failures).toEqual([]);
    expect(report.messages[0].destinations).toEqual([expect.objectContaining({ destination: 'partner.test', outcome: 'deferred', endToEnd: 'held' })]);
  });
});
