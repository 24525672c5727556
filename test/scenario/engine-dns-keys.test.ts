// `route: mx` and `dane` on a real engine (engines/engine-dns.ts): only Postfix and Exim run against the run's DNS,
// DANE only beside opportunistic TLS, and the engine reaches only the hop after it, so every MX record must name
// that hop. Each is a located problem (pure: nothing starts here).
import { describe, expect, it } from 'vitest';
import { scenarioProblems, yamlLines } from '../support/scenario-problems.js';

const MESSAGES = 'messages: [{ from: a@b.test, to: [c@partner.test] }]';
const ZONE = ['dns:', '  partner.test:', '    dnssec: secure', '    mx: [{ hop: mx, preference: 10 }]'];

const problems = (...text: string[]): string[] => scenarioProblems(yamlLines('name: x', ...text, MESSAGES));

describe('route: mx and dane on a real engine', () => {
  it('postfix and exim take them; the MX target is the hop after the engine', () => {
    for (const engine of ['postfix', 'exim']) {
      expect(problems('hops:', '  - id: relay', `    engine: ${engine}`, '    outbound: { route: mx, dane: honor }', '  - id: mx', ...ZONE)).toEqual([]);
    }
  });

  it('sendmail and opensmtpd do not run against the run\'s DNS', () => {
    expect(problems('hops:', '  - id: relay', '    engine: sendmail', '    outbound: { route: mx, dane: honor }', '  - id: mx', ...ZONE)).toEqual([
      'x.yaml:5:24: hops[0].outbound.route: engine sendmail cannot take outbound.route: mailhop runs only postfix and exim against the run\'s DNS; sendmail relays to the next hop',
      'x.yaml:5:34: hops[0].outbound.dane: engine sendmail cannot take outbound.dane: mailhop runs only postfix and exim as DANE clients',
    ]);
  });

  it('dane beside a tls that requires TLS is refused with the reason', () => {
    expect(problems('hops:', '  - id: relay', '    engine: postfix', '    outbound: { tls: mandatory, route: mx, dane: honor }', '  - id: mx', ...ZONE)).toEqual([
      'x.yaml:5:50: hops[0].outbound.dane: engine postfix cannot take outbound.dane beside tls: mandatory: its DANE level replaces its TLS level (a zone without usable TLSA records gets opportunistic TLS); leave tls: opportunistic',
    ]);
  });

  it('an MX record naming another hop than the one after the engine, and route: mx without dns:', () => {
    expect(problems('hops:', '  - id: relay', '    engine: exim', '    outbound: { route: mx }', '  - id: mx', '  - id: other', ...ZONE.slice(0, 3), '    mx: [{ hop: other, preference: 10 }]')).toEqual([
      'x.yaml:11:17: dns["partner.test"].mx[0].hop: other cannot be an MX target: relay (engine exim) routes by MX and reaches only the hop after it, mx',
    ]);
    expect(problems('hops:', '  - id: relay', '    engine: postfix', '    outbound: { route: mx }', '  - id: mx')).toEqual([
      'x.yaml:5:24: hops[0].outbound.route: route: mx makes postfix look recipient domains up in the run\'s DNS: add a dns: block with their zones',
    ]);
  });
});

describe('mtaSts on a real engine', () => {
  it('postfix takes mtaSts (its policy resolver answers it); exim has no MTA-STS; no engine takes a seeded cache', () => {
    expect(problems('hops:', '  - id: relay', '    engine: postfix', '    outbound: { route: mx, mtaSts: honor }', '  - id: mx', ...ZONE)).toEqual([]);
    expect(problems('hops:', '  - id: relay', '    engine: exim', '    outbound: { route: mx, mtaSts: honor }', '  - id: mx', ...ZONE)).toEqual([
      'x.yaml:5:36: hops[0].outbound.mtaSts: engine exim cannot take outbound.mtaSts: it has no MTA-STS of its own; mailhop runs only postfix (with postfix-mta-sts-resolver) as an MTA-STS sender',
    ]);
    const cache = '{ "partner.test": { mode: enforce, mx: ["*.mailhop.test"], id: a1 } }';
    expect(problems('hops:', '  - id: relay', '    engine: postfix', `    outbound: { route: mx, mtaSts: honor, mtaStsCache: ${cache} }`, '  - id: mx', ...ZONE)).toEqual([
      'x.yaml:5:56: hops[0].outbound.mtaStsCache: engine postfix cannot take outbound.mtaStsCache: its policy resolver (postfix-mta-sts-resolver) starts each run with an empty cache',
    ]);
  });
});
