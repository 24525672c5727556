/**
 * Real Postfix 3.7 and Exim 4.96 as DANE clients (RFC 7672) against the run's DNS, beside mailhop's own client with
 * their preset: the same cases, and both must reach the same outcome and link verdict. The engine hop routes by MX
 * (`route: mx`, `dane: honor`): it asks the run's DNS server through its private resolv.conf (port 53 of its own
 * loopback address, `options trust-ad`), finds `mx.mailhop.test` at the address of the MX link's proxy, port 25, and
 * decides on the TLSA records itself; the evidence is the line the engine logged, quoted verbatim. An insecure zone
 * with the same TLSA record must get no DANE (the stripped message goes out in clear): the engine read the AD bit,
 * not merely the records.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import { availability, runScenario, summary, titled, type EngineRun } from '../support/engine.js';

type Engine = 'postfix' | 'exim';
type Tlsa = { usage: number; selector: number; matchingType: number; matches: 'served-key' | 'old-key' | 'issuer' | 'garbage' };
const EE: Tlsa = { usage: 3, selector: 1, matchingType: 1, matches: 'served-key' };
const TA: Tlsa = { usage: 2, selector: 1, matchingType: 1, matches: 'issuer' };
const MX = String.raw`mx\.mailhop\.test`;
/** The MX link's proxy: port 25 of a loopback address of its own (chain/chain-dns.ts). */
const AT = String.raw`127\.25\.\d+\.\d+`;

interface DaneCase {
  name: string;
  /** The zones: partner.test's MX (and TLSA) records, and a second zone for the TLSA records when they live apart. */
  dns: ScenarioInput['dns'];
  fault?: 'strip-starttls';
  cert?: 'expired' | 'valid-chain';
  /** The sender's DANE policy; absent: `honor`. */
  dane?: 'require';
  /** Per engine when the products differ (the preset must follow its own). */
  expected: { outcome: string; verdict: string } | Record<Engine, { outcome: string; verdict: string }>;
  /** The engine's own log line that shows why (absent: the verdict's witnesses say enough). */
  logged?: Record<Engine, RegExp>;
}

const signed = (tlsa: Tlsa[], dnssec = 'secure') => ({ 'partner.test': { dnssec, mx: [{ hop: 'mx', preference: 10 }], tlsa: { mx: tlsa } } }) as ScenarioInput['dns'];

const CASES: DaneCase[] = [
  {
    name: 'secure zone, DANE-EE 3 1 1 of the served key: delivered, authenticated by the record',
    dns: signed([EE]),
    expected: { outcome: 'delivered', verdict: 'tls-verified' },
    logged: {
      postfix: new RegExp(`postfix/smtp\\[\\d+\\]: Verified TLS connection established to ${MX}\\[${AT}\\]:25: TLSv1\\.3 with cipher `),
      exim: new RegExp(` => bob@partner\\.test R=dnslookup T=remote_smtp H=${MX} \\[${AT}\\]:25 X=TLS1\\.3:\\S+ CV=dane `),
    },
  },
  {
    name: 'the same zone and a strip-starttls fault: TLS is required, nothing in clear, the message waits',
    dns: signed([EE]),
    fault: 'strip-starttls',
    expected: { outcome: 'deferred', verdict: 'refused' },
    logged: {
      postfix: new RegExp(`dsn=4\\.7\\.4, status=deferred \\(TLS is required, but was not offered by host ${MX}\\[${AT}\\]\\)$`),
      exim: new RegExp(`defer \\(-38\\) H=${MX} \\[${AT}\\]:25: a TLS session is required, but the server did not offer TLS support$`),
    },
  },
  {
    name: 'an INSECURE zone with the same TLSA record and the strip: no DANE (no AD bit), plaintext as opportunistic TLS allows',
    dns: signed([EE], 'insecure'),
    fault: 'strip-starttls',
    expected: { outcome: 'delivered', verdict: 'stripped' },
  },
  {
    name: 'DANE-EE with an expired certificate: delivered and authenticated (DANE-EE ignores dates, RFC 7672 §3.1.1)',
    dns: signed([EE]),
    cert: 'expired',
    expected: { outcome: 'delivered', verdict: 'tls-verified' },
  },
  {
    name: 'TLSA of the old key after a roll: TLS up, the certificate refused, the message waits',
    dns: signed([{ ...EE, matches: 'old-key' }]),
    expected: { outcome: 'deferred', verdict: 'refused' },
    logged: {
      postfix: new RegExp(`server certificate verification failed for ${MX}\\[${AT}\\]:25: num=65:no matching DANE TLSA records$`),
      exim: new RegExp(`DANE attempt failed; TLS connection to ${MX} \\[${AT}\\]: \\(certificate verification failed\\): Verification failed\\. The certificate differs\\.`),
    },
  },
  {
    name: 'TLSA lookup SERVFAIL (the MX host in a zone of its own): the host is not used, the message waits',
    dns: { 'partner.test': { dnssec: 'secure', mx: [{ hop: 'mx', preference: 10 }] }, 'mx-host.test': { dnssec: 'servfail', tlsa: { mx: [EE] } } } as ScenarioInput['dns'],
    expected: { outcome: 'deferred', verdict: 'none' },
    logged: {
      postfix: new RegExp(`relay=none, .*status=deferred \\(TLSA lookup error for ${MX}:25\\)$`),
      exim: /defer \(-36\): DANE error: tlsa lookup DEFER$/,
    },
  },
  {
    name: 'DANE-TA 2 1 1 of the issuer, the hop serving its leaf alone: no trust anchor presented (RFC 7672 §3.1.2), held',
    dns: signed([TA]),
    expected: { outcome: 'deferred', verdict: 'refused' },
    logged: {
      postfix: new RegExp(`server certificate verification failed for ${MX}\\[${AT}\\]:25: num=65:no matching DANE TLSA records$`),
      exim: /DANE attempt failed; .*: \(certificate verification failed\): TLSA record problem: none usable/,
    },
  },
  {
    name: 'dane: require and TLSA records in an insecure zone: the MX host is not used; Postfix waits, Exim bounces',
    dns: { 'partner.test': { dnssec: 'secure', mx: [{ hop: 'mx', preference: 10 }] }, 'mx-host.test': { dnssec: 'insecure', tlsa: { mx: [EE] } } } as ScenarioInput['dns'],
    dane: 'require',
    expected: { postfix: { outcome: 'deferred', verdict: 'none' }, exim: { outcome: 'bounced', verdict: 'none' } },
    logged: {
      postfix: /relay=none, .*dsn=4\.7\.5, status=deferred \(no TLSA records found\)$/,
      exim: /\*\* bob@partner\.test R=dnslookup T=remote_smtp: DANE error: tlsa lookup FAIL$/,
    },
  },
  {
    name: 'DANE-TA 2 1 1 of the issuer, the hop serving its chain (cert: valid-chain): delivered, authenticated',
    dns: signed([TA]),
    cert: 'valid-chain',
    expected: { outcome: 'delivered', verdict: 'tls-verified' },
  },
];

/** The chain of a case: `relay` (the real engine, or a mock with the engine's preset) routing by MX to `mx`. */
function chainOf(c: DaneCase, relay: object): Partial<ScenarioInput> {
  return {
    hops: [{ id: 'relay', ...relay }, { id: 'mx', ...(c.cert ? { inbound: { cert: c.cert } } : {}) }] as ScenarioInput['hops'],
    dns: c.dns,
    links: c.fault ? [{ from: 'relay', to: 'mx', fault: c.fault }] : [],
    runFor: '30m',
  };
}

const verdictOf = (run: EngineRun) => ({ outcome: run.report.outcome, verdict: summary(run.report).links['relay->mx'] });

for (const engine of ['postfix', 'exim'] as const) {
  describe.skipIf(!availability(engine).usable).concurrent(titled(`DANE: real ${engine} and preset ${engine} against the run's DNS`, engine), () => {
    for (const c of CASES) {
      it(c.name, async () => {
        const dane = c.dane ?? 'honor';
        const [real, preset] = await Promise.all([
          runScenario(chainOf(c, { engine, outbound: { route: 'mx', dane } })),
          runScenario(chainOf(c, { preset: engine, outbound: { route: 'mx', dane, retry: ['10m'] } })),
        ]);
        const expected = 'outcome' in c.expected ? c.expected : c.expected[engine];
        expect({ real: verdictOf(real), preset: verdictOf(preset) }).toEqual({ real: expected, preset: expected });
        const lines = real.facts().map((f) => f.line);
        if (c.logged) expect(lines).toContainEqual(expect.stringMatching(c.logged[engine]));
        const wire = real.wire('relay->mx');
        if (expected.outcome !== 'delivered') {
          // Held: nothing crossed in clear, and the MX host accepted nothing.
          for (const w of wire) expect({ plaintextData: w.plaintextData, mailInClear: w.commands.some((x) => x.verb === 'MAIL') }).toEqual({ plaintextData: false, mailInClear: false });
          expect(real.events.filter((e) => e.kind === 'accepted' && e.link === 'relay->mx')).toEqual([]);
          if (expected.verdict === 'none') expect(wire).toEqual([]);
        }
        if (expected.verdict === 'stripped') {
          // No DANE: the engine took the stripped EHLO at its word and sent the message in clear.
          expect(wire[0].plaintextMessageIds).toEqual(['m1']);
          expect(real.facts('tls')).toEqual([]);
        }
      }, 90_000);
    }
  });
}
