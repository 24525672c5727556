/**
 * `outbound.mtaStsCheck`: the same three MTA-STS enforce cases with mailhop's own sender under the RFC's check
 * (`mx-host`, the default: RFC 8461 §4.1, §4.2, §2) and under Postfix's (`policy-map`: postfix-mta-sts-resolver's
 * `secure match=` answer, docs/behaviour.md#B-mta-sts-postfix), judged on what crossed the MX link, what the MX host
 * accepted, and the link's policy facts. The real engine beside the `postfix` preset: test/engines/mta-sts-fidelity.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import type { AcceptedEvent, DnsEvent } from '../../harness/trace/events.js';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { policyMapMatch, policyMapNameMatches } from '../../harness/mta-sts/policy-map.js';

type Check = 'mx-host' | 'policy-map' | undefined;
interface Case {
  mx: string[];
  cert?: 'wrong-host';
  /** TLSA of an old key in a signed zone, and `dane: honor` on the relay. */
  staleTlsa?: boolean;
}

/** relay (routing by MX, opportunistic or the `preset`, MTA-STS honoured with `check`) -> mx, partner.test publishing enforce. */
function chain(c: Case, check: Check, preset?: string): Partial<ScenarioInput> {
  return {
    hops: [
      { id: 'relay', ...(preset ? { preset } : {}), outbound: { route: 'mx', mtaSts: 'honor', retry: ['10m'], ...(c.staleTlsa ? { dane: 'honor' } : {}), ...(check ? { mtaStsCheck: check } : {}) } },
      { id: 'mx', ...(c.cert ? { inbound: { cert: c.cert } } : {}) },
    ] as ScenarioInput['hops'],
    dns: {
      'partner.test': {
        ...(c.staleTlsa ? { dnssec: 'secure', tlsa: { mx: [{ usage: 3, selector: 1, matchingType: 1, matches: 'old-key' }] } } : {}),
        mx: [{ hop: 'mx', preference: 10 }], mtaSts: 'v=STSv1; id=20261201', stsPolicy: { mode: 'enforce', mx: c.mx, maxAge: '7d' },
      },
    } as ScenarioInput['dns'],
    runFor: '15m',
  };
}

type Run = Awaited<ReturnType<typeof runInline>>;
const accepted = (run: Run) => run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === 'relay->mx');
const tlsaLookups = (run: Run) => run.events.filter((e): e is DnsEvent => e.kind === 'dns' && e.type === 'TLSA');
const mxLink = (run: Run) => run.report.messages[0].links[1];
const facts = (run: Run) => {
  const link = mxLink(run);
  return { verdict: link.verdict, source: link.policy?.source, failures: [...new Set(link.failures?.map((f) => f.type))] };
};

const UNLISTED: Case = { mx: ['mail.partner.test'] };
const OTHER_NAME: Case = { mx: ['*.mailhop.test', '*.mailhop.invalid'], cert: 'wrong-host' };
const STALE_DANE: Case = { mx: ['*.mailhop.test'], staleTlsa: true };

describe('mtaStsCheck: mx-host (the default) keeps to RFC 8461', () => {
  for (const check of [undefined, 'mx-host'] as const) {
    it(`${check ?? 'absent'}: an MX host the patterns do not list gets no connection (§4.1); the message waits`, async () => {
      const run = await runInline(chain(UNLISTED, check));
      expect(run.wire('relay->mx')).toEqual([]);
      expect(accepted(run)).toEqual([]);
      expect(facts(run)).toEqual({ verdict: 'none', source: 'mta-sts', failures: ['validation-failure'] });
      expect(run.report.messages[0].endToEnd).toBe('held');
    });
  }

  it('a certificate for another name under another pattern is refused after the handshake, nothing sent (§4.2)', async () => {
    const run = await runInline(chain(OTHER_NAME, undefined));
    for (const r of run.wire('relay->mx')) expect([r.handshake, r.plaintextData, verbs(r).includes('MAIL')]).toEqual(['established', false, false]);
    expect(accepted(run)).toEqual([]);
    expect(facts(run)).toEqual({ verdict: 'refused', source: 'mta-sts', failures: ['certificate-host-mismatch'] });
  });

  it('DANE wins over MTA-STS (§2): a stale TLSA record holds the message though the policy is satisfied', async () => {
    const run = await runInline(chain(STALE_DANE, undefined));
    expect(tlsaLookups(run).map((e) => [e.outcome, e.ad])).toEqual([['answer', true], ['answer', true]]);
    expect(accepted(run)).toEqual([]);
    expect(facts(run)).toEqual({ verdict: 'refused', source: 'dane', failures: ['tlsa-invalid'] });
  });
});

describe('mtaStsCheck: policy-map behaves as Postfix with postfix-mta-sts-resolver', () => {
  it('an unlisted MX host is tried: STARTTLS, then its certificate is refused for naming no pattern; nothing sent', async () => {
    const run = await runInline(chain(UNLISTED, 'policy-map'));
    const wire = run.wire('relay->mx');
    expect(wire.length).toBeGreaterThan(0);
    for (const r of wire) expect([verbs(r), r.handshake, r.plaintextData]).toEqual([['EHLO', 'STARTTLS'], 'established', false]);
    expect(accepted(run)).toEqual([]);
    expect(facts(run)).toEqual({ verdict: 'refused', source: 'mta-sts', failures: ['validation-failure', 'certificate-host-mismatch'] });
    expect(run.sessions('relay->mx')[0].reply.text).toBe('451 4.7.5 Server certificate not verified (no certificate name (mx.mailhop.test) matches secure match=mail.partner.test)');
  });

  it('a certificate naming a host under another pattern is accepted: delivered over TLS, authenticated by the match list', async () => {
    const run = await runInline(chain(OTHER_NAME, 'policy-map'));
    expect(accepted(run).map((e) => e.secure)).toEqual([true]);
    expect(facts(run)).toEqual({ verdict: 'tls-verified', source: 'mta-sts', failures: [] });
    expect(mxLink(run).policy?.matched).toBe('certificate name wrong-host.mailhop.invalid matches .mailhop.invalid (secure match=.mailhop.test:.mailhop.invalid)');
  });

  it('an enforce policy replaces DANE for the domain: no TLSA lookup, the stale record never checked, delivered', async () => {
    const run = await runInline(chain(STALE_DANE, 'policy-map'));
    expect(tlsaLookups(run)).toEqual([]);
    expect(accepted(run).map((e) => e.secure)).toEqual([true]);
    expect(facts(run)).toEqual({ verdict: 'tls-verified', source: 'mta-sts', failures: [] });
  });

  it('the postfix preset brings it: an unlisted MX host is tried over TLS', async () => {
    const run = await runInline(chain(UNLISTED, undefined, 'postfix'));
    expect(run.wire('relay->mx')[0].handshake).toBe('established');
    expect(facts(run).verdict).toBe('refused');
  });

  it('writes *.x as .x, which matches names of any depth under x, and a plain pattern only itself (postconf(5))', () => {
    expect(policyMapMatch({ mode: 'enforce', mx: ['*.Mailhop.test', 'mail.partner.test'], maxAge: 1 })).toEqual(['.mailhop.test', 'mail.partner.test']);
    expect(['mx.mailhop.test', 'a.b.mailhop.test', 'mailhop.test', 'xmailhop.test'].map((n) => policyMapNameMatches('.mailhop.test', n))).toEqual([true, true, false, false]);
    expect(['mail.partner.test', 'MAIL.partner.test.', 'a.mail.partner.test'].map((n) => policyMapNameMatches('mail.partner.test', n))).toEqual([true, true, false]);
  });

  it('validate refuses mtaStsCheck where mtaSts is not honoured, located', () => {
    const text = ['name: x', 'hops:', '  - id: relay', '    outbound: { route: mx, mtaStsCheck: policy-map }', '  - id: mx', 'dns:', '  partner.test: { mx: [{ hop: mx, preference: 10 }] }', 'messages: [{ from: a@org.test, to: [b@partner.test] }]', ''].join('\n');
    expect(() => loadScenarioText(text, 'x.yaml')).toThrow('x.yaml:4:41: hops[0].outbound.mtaStsCheck: mtaStsCheck says how mtaSts: honor checks an MX host; this outbound\'s mtaSts is ignore, so it would do nothing: write mtaSts: honor (with route: mx), or drop mtaStsCheck');
  });
});
