/**
 * A bad MTA-STS policy host (`dns.<domain>.stsPolicy`) or sender setting (`outbound.mtaSts`, `mtaStsCache`) is refused
 * before anything starts, every problem located.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { refusedProblems } from '../support/scenario-problems.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const problems = (text: string): string[] => refusedProblems(text, 'sts.yaml');

describe('MTA-STS in a scenario', () => {
  it('lists every problem of the policy host, the cache and the sender, located', () => {
    expect(problems(lines(
      'name: bad-sts',
      'submit: { mtaSts: honor }',
      'hops:',
      '  - id: first',
      '    outbound: { mtaSts: honor }',
      '  - id: relay',
      '    outbound:',
      '      route: mx',
      '      mtaSts: always',
      '      mtaStsCache:',
      '        partner.test: { id: "x-1", mode: testing, maxAge: 400d }',
      '  - id: mx',
      'dns:',
      '  partner.test:',
      '    mx: [{ hop: mx, preference: 10 }]',
      '    stsPolicy: { mode: enforce, mx: ["*.*.test"], serve: gone, cert: stale }',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'sts.yaml:2:19: submit.mtaSts: mtaSts is for a hop\'s outbound; the injecting client always submits to the first hop',
      'sts.yaml:5:25: hops[0].outbound.mtaSts: mtaSts applies to the MX hosts of recipient domains: add route: mx to this outbound',
      'sts.yaml:9:15: hops[1].outbound.mtaSts: must be one of honor, ignore; got "always"',
      'sts.yaml:11:23: hops[1].outbound.mtaStsCache["partner.test"].mx: a policy in testing mode must name at least one MX pattern (RFC 8461 §3.2), e.g. mx: ["*.mailhop.test"]',
      'sts.yaml:11:29: hops[1].outbound.mtaStsCache["partner.test"].id: must be 1 to 32 letters and digits (RFC 8461 §3.1 id); got "x-1"',
      'sts.yaml:11:59: hops[1].outbound.mtaStsCache["partner.test"].maxAge: must be at most 31557600s (RFC 8461 §3.2 max_age); got "400d"',
      'sts.yaml:16:38: dns["partner.test"].stsPolicy.mx[0]: must be a lower-case host name, or *. and a name (one wildcard label, left-most), like *.mailhop.test; got "*.*.test"',
      'sts.yaml:16:58: dns["partner.test"].stsPolicy.serve: must be one of policy, unreachable, timeout, not-found, redirect, wrong-content-type, bad-syntax; got "gone"',
      'sts.yaml:16:70: dns["partner.test"].stsPolicy.cert: must be one of valid, valid-chain, self-signed, expired, not-yet-valid, wrong-host, untrusted-ca; got "stale"',
    ]);
  });

  it('refuses a policy host with no _mta-sts TXT record: no sender would ever fetch it', () => {
    expect(problems(lines(
      'name: sts-without-txt',
      'hops:',
      '  - id: relay',
      '    outbound: { tls: opportunistic, route: mx, mtaSts: honor }',
      '  - id: mx',
      'dns:',
      '  partner.test:',
      '    mx: [{ hop: mx, preference: 10 }]',
      '    stsPolicy: { mode: enforce, mx: ["*.mailhop.test"] }',
      'messages:',
      '  - { from: a@org.test, to: [b@partner.test] }',
    ))).toEqual([
      'sts.yaml:9:16: dns["partner.test"].stsPolicy: senders fetch the policy only after the _mta-sts TXT record names its id (RFC 8461 §3.1): add mtaSts: "v=STSv1; id=20261201" to this zone',
    ]);
  });
});

describe('the README\'s MTA-STS example', () => {
  it('loads, and runs to the outcome it claims', async () => {
    const { readFile } = await import('node:fs/promises');
    const { startChain } = await import('../../harness/chain/chain.js');
    const readme = await readFile('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('MTA-STS (RFC 8461) works the same way'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const { scenario } = loadScenarioText(yaml, 'README.md');
    await using chain = await startChain(scenario);
    const report = await chain.run();
    expect(report.failures).toEqual([]);
    expect(report.mtaSts?.[0].fetch).toEqual(expect.objectContaining({ ok: true, status: 200 }));
    expect(report.messages[0].destinations).toEqual([expect.objectContaining({ destination: 'partner.test', outcome: 'deferred', endToEnd: 'held' })]);
  });
});
