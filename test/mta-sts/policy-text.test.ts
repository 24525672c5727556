/**
 * The text forms of MTA-STS: the TXT record (RFC 8461 §3.1), the policy file (§3.2) and MX pattern matching (§4.1).
 */
import { describe, expect, it } from 'vitest';
import { mxPatternMatches, parsePolicy, policyText, stsTxtId } from '../../harness/mta-sts/policy-text.js';

describe('MTA-STS text', () => {
  it('lets a wildcard stand for exactly one left-most label', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*.mailhop.test', 'mx.mailhop.test', true],
      ['*.mailhop.test', 'MX.Mailhop.Test.', true],
      ['*.mailhop.test', 'a.mx.mailhop.test', false],
      ['*.mailhop.test', 'mailhop.test', false],
      ['*.mailhop.test', 'xmailhop.test', false],
      ['mx.mailhop.test', 'mx.mailhop.test', true],
      ['mx.mailhop.test', 'mx2.mailhop.test', false],
    ];
    expect(cases.map(([p, h]) => mxPatternMatches(p, h))).toEqual(cases.map(([, , want]) => want));
  });

  it('parses what it serves, and names what makes a file no policy', () => {
    const policy = { mode: 'enforce' as const, mx: ['*.mailhop.test', 'mx.partner.test'], maxAge: 604800 };
    expect(policyText(policy)).toBe('version: STSv1\r\nmode: enforce\r\nmx: *.mailhop.test\r\nmx: mx.partner.test\r\nmax_age: 604800\r\n');
    expect(parsePolicy(policyText(policy))).toEqual({ policy });
    // LF line ends and unknown keys are fine (RFC 8461 §3.2).
    expect(parsePolicy('version: STSv1\nmode: none\nmax_age: 0\nextension: x\n')).toEqual({ policy: { mode: 'none', mx: [], maxAge: 0 } });
    expect([
      'version: STSv1\r\nmode enforce\r\nmx: a.test\r\nmax_age: 1\r\n',
      'version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n',
      'version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n',
      'version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601\n',
      'version: STSv1\nmode: testing\nmax_age: 86400\n',
    ].map((t) => (parsePolicy(t) as { invalid: string }).invalid)).toEqual([
      'line "mode enforce" is not "key: value"',
      'version is "STSv2", not STSv1',
      'mode is "strict", not enforce, testing or none',
      'max_age is "31557601", not a number of seconds up to 31557600',
      'a testing policy names no mx',
    ]);
  });

  it('reads the id of the one TXT record that starts v=STSv1, and no policy from none or two', () => {
    expect(stsTxtId(['v=STSv1; id=20261201;'])).toEqual({ id: '20261201' });
    expect(stsTxtId(['v=spf1 -all', 'v=STSv1;id=abc'])).toEqual({ id: 'abc' });
    expect(stsTxtId(['v=spf1 -all'])).toEqual({ none: 'no TXT record starts v=STSv1' });
    expect(stsTxtId(['v=STSv1; id=a', 'v=STSv1; id=b'])).toEqual({ none: '2 TXT records start v=STSv1 (RFC 8461 §3.1: then there is no policy)' });
    expect(stsTxtId(['v=STSv1; id=not-alnum'])).toEqual({ none: 'the TXT record has no valid id (1 to 32 letters and digits): "v=STSv1; id=not-alnum"' });
  });
});
