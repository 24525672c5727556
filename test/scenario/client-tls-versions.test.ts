// outbound.tlsMinVersion / tlsMaxVersion (and submit's): a bad value or an empty range is a located problem naming
// the key, as every other scenario problem (pure: nothing starts here).
import { describe, expect, it } from 'vitest';
import { scenarioProblems, yamlLines } from '../support/scenario-problems.js';

const MESSAGES = 'messages: [{ from: a@b.test, to: [c@d.test] }]';

const problems = (...text: string[]): string[] => scenarioProblems(yamlLines('name: x', ...text, MESSAGES));

describe('the client\'s TLS versions in a scenario', () => {
  it('a version Node does not know, on submit', () => {
    expect(problems('submit: { tlsMinVersion: SSLv3 }', 'hops:', '  - id: mx')).toEqual([
      'x.yaml:2:26: submit.tlsMinVersion: must be one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3; got "SSLv3"',
    ]);
  });

  it('a minimum above the maximum, on a hop', () => {
    expect(problems('hops:', '  - id: relay', '    outbound: { tls: mandatory, tlsMinVersion: TLSv1.3, tlsMaxVersion: TLSv1.2 }', '  - id: mx')).toEqual([
      'x.yaml:4:48: hops[0].outbound.tlsMinVersion: tlsMinVersion TLSv1.3 is above tlsMaxVersion TLSv1.2: the client would offer no TLS version',
    ]);
  });

  it('a maximum below the default minimum says to lower the minimum too', () => {
    expect(problems('hops:', '  - id: relay', '    outbound: { tlsMaxVersion: TLSv1 }', '  - id: mx')).toEqual([
      'x.yaml:4:32: hops[0].outbound.tlsMaxVersion: tlsMaxVersion TLSv1 is below the default tlsMinVersion TLSv1.2: set tlsMinVersion too, e.g. tlsMinVersion: TLSv1',
    ]);
  });

  it('a preset\'s minimum merges under the hop\'s own maximum', () => {
    expect(problems('hops:', '  - id: relay', '    preset: sendmail', '    outbound: { tlsMaxVersion: TLSv1.1 }', '  - id: mx')).toEqual([]);
    expect(problems('hops:', '  - id: relay', '    preset: postfix', '    outbound: { tlsMinVersion: TLSv1.3, tlsMaxVersion: TLSv1.2 }', '  - id: mx')).toEqual([
      'x.yaml:5:32: hops[0].outbound.tlsMinVersion: tlsMinVersion TLSv1.3 is above tlsMaxVersion TLSv1.2: the client would offer no TLS version',
    ]);
  });

  it('tls: none offers no TLS, so it takes no versions', () => {
    expect(problems('hops:', '  - id: relay', '    outbound: { tls: none, tlsMinVersion: TLSv1 }', '  - id: mx')).toEqual([
      'x.yaml:4:28: hops[0].outbound: unknown key "tlsMinVersion" (allowed: tls, retry, maxAge, timeout, replies, concurrencyLimit, reuse, connectionCache, reuseProbe, pipelining, route, dane, mtaSts, mtaStsCache, mtaStsCheck, daneRequiredMissing, requireTls)',
    ]);
  });

  it('a real engine offers its own versions', () => {
    expect(problems('hops:', '  - id: relay', '    engine: exim', '    outbound: { tlsMinVersion: TLSv1 }', '  - id: mx')).toEqual([
      'x.yaml:5:32: hops[0].outbound.tlsMinVersion: engine exim cannot take outbound.tlsMinVersion: it offers its own TLS versions',
    ]);
  });
});
