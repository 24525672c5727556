/**
 * DANE (RFC 7672) as mailhop's own sender applies it when it routes by MX with `dane: honor | require`: judged on
 * what crossed each MX link's wire, what the MX host accepted, and the lookups the sender made in the run's DNS.
 */
import { describe, expect, it } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import type { AcceptedEvent, DnsEvent } from '../../harness/trace/events.js';
import type { ScenarioInput } from '../../harness/scenario/schema.js';

type Tlsa = { usage: number; selector: number; matchingType: number; matches: 'served-key' | 'old-key' | 'issuer' | 'garbage' };
const EE: Tlsa = { usage: 3, selector: 1, matchingType: 1, matches: 'served-key' };

/** relay (routing by MX, opportunistic) -> mx, partner.test's zone as given. */
function daneChain(zone: Record<string, unknown>, options: { dane?: 'honor' | 'require' | 'ignore'; mx?: object; links?: ScenarioInput['links']; extraZones?: object } = {}): Partial<ScenarioInput> {
  return {
    hops: [
      { id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', dane: options.dane ?? 'honor', retry: ['10m'] } },
      { id: 'mx', ...options.mx },
    ],
    dns: { 'partner.test': { mx: [{ hop: 'mx', preference: 10 }], ...zone }, ...options.extraZones } as ScenarioInput['dns'],
    links: options.links ?? [],
    runFor: '15m',
  };
}

const accepted = (run: Awaited<ReturnType<typeof runInline>>) => run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === 'relay->mx');
const lookups = (run: Awaited<ReturnType<typeof runInline>>) =>
  run.events.filter((e): e is DnsEvent => e.kind === 'dns').map((e) => `${e.type} ${e.name} ${e.outcome}${e.ad ? ' AD' : ''}${e.failure ? ` ${e.failure}` : ''}`);
const STRIP: ScenarioInput['links'] = [{ from: 'relay', to: 'mx', fault: 'strip-starttls' }];

describe('DANE for mailhop\'s own sender', () => {
  it('keeps a stripped message off the wire when the zone is signed and has a usable TLSA record; the same chain without DANE goes out in clear', async () => {
    const held = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [EE] } }, { links: STRIP }));
    const wire = held.wire('relay->mx');
    expect(wire).toHaveLength(2); // the first attempt and its retry at +10m
    for (const record of wire) {
      expect(record.faults.map((f) => f.fault)).toEqual(['strip-starttls']);
      expect(verbs(record)).toEqual(['EHLO', 'QUIT']);
      expect(record.plaintextMessageIds).toEqual([]);
    }
    expect(held.mailbox).toEqual([]);
    expect(lookups(held)).toEqual(['MX partner.test answer AD', 'TLSA _25._tcp.mx.mailhop.test answer AD', 'MX partner.test answer AD', 'TLSA _25._tcp.mx.mailhop.test answer AD']);
    const link = held.report.messages[0].links[1];
    expect([link.verdict, link.policy?.source, link.failures?.map((f) => f.type)]).toEqual(['refused', 'dane', ['starttls-not-supported', 'starttls-not-supported']]);
    expect(held.report.messages[0].endToEnd).toBe('held');

    const ignored = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [EE] } }, { links: STRIP, dane: 'ignore' }));
    expect(ignored.wire('relay->mx')[0].plaintextMessageIds).toEqual(['m1']);
    expect(lookups(ignored)).toEqual(['MX partner.test answer AD']);
    expect(ignored.report.messages[0].links[1].policy?.source).toBe('none');
  });

  it('authenticates by DANE-EE a certificate that has expired: delivered, tls-verified, the matching record named', async () => {
    const run = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [EE] } }, { mx: { inbound: { cert: 'expired' } } }));
    const [record] = run.wire('relay->mx');
    expect([record.handshake, record.plaintextData]).toEqual(['established', false]);
    expect(accepted(run).map((e) => e.secure)).toEqual([true]);
    const link = run.report.messages[0].links[1];
    expect(link.verdict).toBe('tls-verified');
    expect(link.policy?.matched).toMatch(/^3 1 1 [0-9a-f]{16}…$/);
    const [session] = run.sessions('relay->mx');
    expect(session.tls?.verifyError).toBe('CERT_HAS_EXPIRED');
  });

  it('refuses a certificate no TLSA record matches (a stale record after a key roll): TLS up, nothing accepted, tlsa-invalid', async () => {
    const run = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [{ ...EE, matches: 'old-key' }] } }));
    expect(run.wire('relay->mx').map((r) => r.handshake)).toEqual(['established', 'established']);
    expect(accepted(run)).toEqual([]);
    const link = run.report.messages[0].links[1];
    expect([link.verdict, link.failures?.map((f) => f.type)]).toEqual(['refused', ['tlsa-invalid', 'tlsa-invalid']]);
    expect(run.report.messages[0].stoppedAt?.reply.text).toBe('451 4.7.5 Server certificate not verified (no TLSA record matched)');
  });

  it('checks DANE-TA by chain and name: the CA\'s record authenticates the right name and refuses another', async () => {
    const ta: Tlsa = { usage: 2, selector: 1, matchingType: 1, matches: 'issuer' };
    const good = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [ta] } }, { mx: { inbound: { cert: 'valid-chain' } } }));
    expect(good.report.messages[0].links[1].verdict).toBe('tls-verified');
    const wrongName = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [ta] } }, { mx: { inbound: { cert: 'wrong-host' } } }));
    expect(accepted(wrongName)).toEqual([]);
    expect(wrongName.report.messages[0].links[1].failures?.[0].type).toBe('tlsa-invalid');
  });

  it('matches DANE-TA only against a trust anchor the server presents (RFC 7672 §3.1.2): a hop serving its leaf alone is refused, as Postfix 3.7 and Exim 4.96 refuse it', async () => {
    const ta: Tlsa = { usage: 2, selector: 1, matchingType: 1, matches: 'issuer' };
    const leafOnly = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [ta] } }));
    expect(leafOnly.wire('relay->mx').map((r) => r.handshake)).toEqual(['established', 'established']);
    expect(accepted(leafOnly)).toEqual([]);
    const link = leafOnly.report.messages[0].links[1];
    expect([link.verdict, link.failures?.map((f) => f.type)]).toEqual(['refused', ['tlsa-invalid', 'tlsa-invalid']]);
  });

  it('never connects to an MX host whose TLSA lookup fails (SERVFAIL, no answer): dnssec-invalid, held', async () => {
    for (const dnssec of ['servfail', 'timeout'] as const) {
      const run = await runInline(daneChain({ dnssec: 'secure' }, { mx: { inbound: { starttls: 'none' } }, extraZones: { 'mx-host.test': { dnssec, tlsa: { mx: [EE] } } } }));
      expect(run.wire('relay->mx')).toEqual([]);
      const outcome = dnssec === 'timeout' ? 'timeout' : 'servfail';
      expect(lookups(run)).toEqual([
        'MX partner.test answer AD', `TLSA _25._tcp.mx.mailhop.test ${outcome} dnssec-invalid`,
        'MX partner.test answer AD', `TLSA _25._tcp.mx.mailhop.test ${outcome} dnssec-invalid`,
      ]);
      const link = run.report.messages[0].links[1];
      expect([link.verdict, link.policy?.source, link.failures?.[0].type]).toEqual(['none', 'dane', 'dnssec-invalid']);
      expect(run.report.messages[0].endToEnd).toBe('held');
    }
  });

  it('ignores TLSA records without the AD bit (an insecure zone): pre-DANE, a strip goes through in clear', async () => {
    const run = await runInline(daneChain({ dnssec: 'insecure', tlsa: { mx: [EE] } }, { links: STRIP }));
    expect(run.wire('relay->mx')[0].plaintextMessageIds).toEqual(['m1']);
    expect(lookups(run)).toEqual(['MX partner.test answer', 'TLSA _25._tcp.mx.mailhop.test answer']);
    expect(run.report.messages[0].links[1].verdict).toBe('stripped');
  });

  it('makes TLS mandatory but unauthenticated for unusable records only (PKIX-EE): a strip is held, a clean session is tls', async () => {
    const run = await runInline(daneChain({ dnssec: 'secure', tlsa: { mx: [{ ...EE, usage: 1 }] } }, { links: [{ from: 'relay', to: 'mx', fault: 'strip-starttls', attempts: [1] }] }));
    const [stripped, clean] = run.wire('relay->mx');
    expect(stripped.plaintextMessageIds).toEqual([]);
    expect(clean.handshake).toBe('established');
    expect(run.report.messages[0].links[1].verdict).toBe('tls');
  });

  it('with dane: require, passes by a host without usable records under DNSSEC: dane-required, no connection', async () => {
    const run = await runInline(daneChain({ dnssec: 'insecure' }, { dane: 'require' }));
    expect(run.wire('relay->mx')).toEqual([]);
    expect(run.report.messages[0].links[1].failures?.map((f) => f.type)).toEqual(['dane-required', 'dane-required']);
    expect(run.report.messages[0].outcome).toBe('deferred');
  });
});
