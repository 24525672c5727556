/**
 * Real Postfix 3.7 as an MTA-STS sender (RFC 8461), with Debian's postfix-mta-sts-resolver 1.1.2 answering its
 * smtp_tls_policy_maps (harness/engines/mta-sts-daemon.ts), beside mailhop's own client with the `postfix` preset: the
 * same cases, and both must reach the same outcome and link verdict. The relay routes by MX (`route: mx`,
 * `mtaSts: honor`): the resolver looks up `_mta-sts.partner.test` in the run's DNS and fetches the policy from the
 * run's policy host on port 443; Postfix then delivers at the level the answer gives (`secure match=...` under
 * enforce, its own `may` otherwise). Each case is judged on Postfix's own log line, on what the policy host was asked
 * and on what crossed the MX link. The preset agrees in every case because it says `mtaStsCheck: policy-map`: where
 * Postfix departs from RFC 8461 (an unlisted MX host tried, the certificate checked against every pattern, DANE
 * replaced), the preset departs with it; the reason is written beside the case and in
 * docs/behaviour.md#B-mta-sts-postfix. test/chain/mta-sts.test.ts keeps the RFC's own `mx-host` check.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import { availability, runScenario, summary, titled, type EngineRun } from '../support/engine.js';
import { diagnoseStsResolver } from '../../harness/engines/sts-resolver.js';

const MX = String.raw`mx\.mailhop\.test`;
/** The MX link's proxy: port 25 of a loopback address of its own (chain/chain-dns.ts). */
const AT = String.raw`127\.25\.\d+\.\d+`;

type Outcome = { outcome: string; verdict: string };

interface StsCase {
  name: string;
  /** partner.test's policy host: the policy it serves, and how. */
  stsPolicy: { mode: 'enforce' | 'testing' | 'none'; mx: string[]; serve?: string };
  /** TLSA records for the MX host in a signed zone, with `dane: honor` on both relays (DANE beside MTA-STS). */
  tlsa?: 'old-key';
  fault?: 'strip-starttls';
  cert?: 'expired' | 'wrong-host';
  /** What both reach. */
  expected: Outcome;
  /** Where Postfix departs from RFC 8461, and so the preset (`mtaStsCheck: policy-map`) with it. */
  departs?: string;
  /** The RFC 8460 result types the preset's link records, each once (its own account; the engine's log names none). */
  failures: string[];
  /** What the policy host answered, in order (none: nothing reached it). */
  served: number[];
  /** Postfix's own log line that shows why. */
  logged: RegExp;
}

const CASES: StsCase[] = [
  {
    name: 'enforce, the MX host matches *.mailhop.test: delivered over TLS, the certificate verified for the MX name',
    stsPolicy: { mode: 'enforce', mx: ['*.mailhop.test'] },
    expected: { outcome: 'delivered', verdict: 'tls-verified' },
    failures: [],
    served: [200],
    logged: new RegExp(`postfix/smtp\\[\\d+\\]: Verified TLS connection established to ${MX}\\[${AT}\\]:25: TLSv1\\.3 with cipher `),
  },
  {
    name: 'enforce and a strip-starttls fault: TLS is required, nothing in clear, the message waits',
    stsPolicy: { mode: 'enforce', mx: ['*.mailhop.test'] },
    fault: 'strip-starttls',
    expected: { outcome: 'deferred', verdict: 'refused' },
    failures: ['starttls-not-supported'],
    served: [200],
    logged: new RegExp(`dsn=4\\.7\\.4, status=deferred \\(TLS is required, but was not offered by host ${MX}\\[${AT}\\]\\)$`),
  },
  {
    name: 'enforce, the MX host matches none of the patterns (mail.partner.test only): tried over TLS, refused by its certificate, the message waits',
    stsPolicy: { mode: 'enforce', mx: ['mail.partner.test'] },
    expected: { outcome: 'deferred', verdict: 'refused' },
    departs: 'Postfix connects to the unlisted MX host and refuses it only because its certificate names no pattern (match=mail.partner.test); RFC 8461 §4.1 rules the host out by its MX name, before any connection',
    failures: ['validation-failure', 'certificate-host-mismatch'],
    served: [200],
    logged: /status=deferred \(Server certificate not verified\)$/,
  },
  {
    name: 'enforce and an expired certificate on the MX host: refused, the message waits',
    stsPolicy: { mode: 'enforce', mx: ['*.mailhop.test'] },
    cert: 'expired',
    expected: { outcome: 'deferred', verdict: 'refused' },
    failures: ['certificate-expired'],
    served: [200],
    logged: /status=deferred \(Server certificate not verified\)$/,
  },
  {
    name: 'testing and a strip-starttls fault: delivered in clear, as without MTA-STS (testing only reports)',
    stsPolicy: { mode: 'testing', mx: ['*.mailhop.test'] },
    fault: 'strip-starttls',
    expected: { outcome: 'delivered', verdict: 'stripped' },
    failures: ['starttls-not-supported'],
    served: [200],
    logged: new RegExp(`relay=${MX}\\[${AT}\\]:25, .*status=sent \\(250 `),
  },
  {
    name: 'the policy host unreachable and no policy cached, a strip-starttls fault: opportunistic, delivered in clear',
    stsPolicy: { mode: 'enforce', mx: ['*.mailhop.test'], serve: 'unreachable' },
    fault: 'strip-starttls',
    expected: { outcome: 'delivered', verdict: 'stripped' },
    failures: ['sts-policy-fetch-error'],
    served: [],
    logged: new RegExp(`relay=${MX}\\[${AT}\\]:25, .*status=sent \\(250 `),
  },
  {
    name: 'enforce, the MX host matches *.mailhop.test but its certificate names wrong-host.mailhop.invalid, a second pattern',
    stsPolicy: { mode: 'enforce', mx: ['*.mailhop.test', '*.mailhop.invalid'] },
    cert: 'wrong-host',
    expected: { outcome: 'delivered', verdict: 'tls-verified' },
    departs: 'the resolver answers secure match=.mailhop.test:.mailhop.invalid, so Postfix accepts a certificate for any name under any pattern; RFC 8461 §4.2 wants it valid for the MX host name itself',
    failures: [],
    served: [200],
    logged: new RegExp(`postfix/smtp\\[\\d+\\]: Verified TLS connection established to ${MX}\\[${AT}\\]:25: `),
  },
  {
    name: 'DANE beside MTA-STS: TLSA of the old key in a signed zone, an enforce policy the host satisfies',
    stsPolicy: { mode: 'enforce', mx: ['*.mailhop.test'] },
    tlsa: 'old-key',
    expected: { outcome: 'delivered', verdict: 'tls-verified' },
    departs: 'the resolver\'s secure answer replaces Postfix\'s level dane for partner.test, so the failing TLSA match is never checked; RFC 8461 §2 forbids MTA-STS to override a failing DANE validation',
    failures: [],
    served: [200],
    logged: new RegExp(`postfix/smtp\\[\\d+\\]: Verified TLS connection established to ${MX}\\[${AT}\\]:25: `),
  },
];

/** The chain of a case: `relay` (the real engine, or a mock with its preset) routing by MX to `mx` under MTA-STS. */
function chainOf(c: StsCase, relay: object): Partial<ScenarioInput> {
  return {
    hops: [{ id: 'relay', ...relay }, { id: 'mx', ...(c.cert ? { inbound: { cert: c.cert } } : {}) }] as ScenarioInput['hops'],
    dns: {
      'partner.test': {
        ...(c.tlsa ? { dnssec: 'secure', tlsa: { mx: [{ usage: 3, selector: 1, matchingType: 1, matches: c.tlsa }] } } : {}),
        mx: [{ hop: 'mx', preference: 10 }], mtaSts: 'v=STSv1; id=20261201', stsPolicy: { ...c.stsPolicy, maxAge: '7d' },
      },
    } as ScenarioInput['dns'],
    links: c.fault ? [{ from: 'relay', to: 'mx', fault: c.fault }] : [],
    runFor: '30m',
  };
}

const verdictOf = (run: EngineRun) => ({ outcome: run.report.outcome, verdict: summary(run.report).links['relay->mx'] });
const served = (run: EngineRun) => run.events.flatMap((e) => (e.kind === 'policy-served' ? [e.status] : []));

const resolver = diagnoseStsResolver();
const postfix = availability('postfix');
const why = !postfix.usable ? postfix.reason : !resolver.found ? resolver.why : '';

describe.skipIf(why !== '').concurrent(why ? `MTA-STS: real postfix and preset postfix (skipped: ${why})` : titled('MTA-STS: real postfix with postfix-mta-sts-resolver and preset postfix', 'postfix'), () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dane = c.tlsa ? { dane: 'honor' } : {};
      const [real, preset] = await Promise.all([
        runScenario(chainOf(c, { engine: 'postfix', outbound: { route: 'mx', mtaSts: 'honor', ...dane } })),
        runScenario(chainOf(c, { preset: 'postfix', outbound: { route: 'mx', mtaSts: 'honor', ...dane, retry: ['10m'] } })),
      ]);
      expect({ real: verdictOf(real), preset: verdictOf(preset) }, c.departs ?? 'real and preset agree').toEqual({ real: c.expected, preset: c.expected });
      // The resolver fetched the policy once (its cache serves the retries), as mailhop's client did.
      expect({ real: served(real), preset: served(preset) }).toEqual({ real: c.served, preset: c.served });
      expect(real.facts().map((f) => f.line)).toContainEqual(expect.stringMatching(c.logged));
      // On the wire both tried STARTTLS on the MX link, or neither did (a strip hid it).
      const tried = (run: EngineRun) => run.wire('relay->mx').some((w) => w.starttlsSent);
      expect({ real: tried(real), preset: tried(preset) }).toEqual({ real: !c.fault, preset: !c.fault });
      const link = preset.report.messages[0].links.find((l) => l.link === 'relay->mx')!;
      expect([link.policy?.source, [...new Set(link.failures?.map((f) => f.type))]]).toEqual([c.served.length ? 'mta-sts' : 'none', c.failures]);
      const wire = real.wire('relay->mx');
      if (c.expected.outcome !== 'delivered') {
        // Held: nothing crossed in clear, and the MX host accepted nothing, from either sender.
        for (const w of [...wire, ...preset.wire('relay->mx')]) expect({ plaintextData: w.plaintextData, mailInClear: w.commands.some((x) => x.verb === 'MAIL') }).toEqual({ plaintextData: false, mailInClear: false });
        for (const run of [real, preset]) expect(run.events.filter((e) => e.kind === 'accepted' && e.link === 'relay->mx')).toEqual([]);
      }
      if (c.expected.verdict === 'stripped') {
        // No policy in force: Postfix took the stripped EHLO at its word and sent the message in clear.
        expect(wire[0].plaintextMessageIds).toEqual(['m1']);
        expect(real.facts('tls')).toEqual([]);
      }
    }, 90_000);
  }
});
