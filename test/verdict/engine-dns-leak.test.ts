// A real engine that delivers in clear where the scenario's DNS publishes DANE (or an enforced MTA-STS policy) for the MX host has leaked, whatever
// its log made of the zone (RFC 7672 §2.2: any TLSA record in a signed zone makes TLS mandatory). Observed cause: Exim
// 4.96 with a resolv.conf without `options trust-ad` never sees the AD bit and goes on in clear after a strip
// (engines/engine-dns.ts). Pure: the words come from the zones, the verdict from a trace made by hand.
import { describe, expect, it } from 'vitest';
import { dnsRequiresTlsWords } from '../../harness/engines/engine-dns.js';
import { DnsZones } from '../../harness/scenario/dns-zones.js';
import type { AcceptedEvent, EngineEvent, HopStartedEvent, TraceEvent } from '../../harness/trace/events.js';
import { judgeMessageLink } from '../../harness/verdict/link-verdict.js';

const tlsa = [{ usage: 3, selector: 1, matchingType: 1, matches: 'served-key' }];
const zones = (partner: object, other?: object) => DnsZones.parse({ 'partner.test': { mx: [{ hop: 'mx', preference: 10 }], ...partner }, ...(other ? { 'other.test': { mx: [{ hop: 'mx', preference: 10 }], ...other } } : {}) });

describe('dnsRequiresTlsWords: whether the recipient domains\' DNS requires TLS towards an MX host', () => {
  it('names the domain and its TLSA parameters for a signed zone with TLSA records, under honor and require', () => {
    const words = dnsRequiresTlsWords({ route: 'mx', dane: 'honor' }, zones({ dnssec: 'secure', tlsa: { mx: tlsa } }), 'mx');
    expect(words).toBe('partner.test publishes DANE (secure zone, 3 1 1 for mx; RFC 7672 §2.2): TLS was required');
    expect(dnsRequiresTlsWords({ route: 'mx', dane: 'require' }, zones({ dnssec: 'secure', tlsa: { mx: tlsa } }), 'mx')).toBe(words);
  });

  it('is undefined for an unsigned zone, a zone without TLSA, a sender ignoring DANE, and a host that also serves a domain without DANE', () => {
    expect(dnsRequiresTlsWords({ route: 'mx', dane: 'honor' }, zones({ dnssec: 'insecure', tlsa: { mx: tlsa } }), 'mx')).toBeUndefined();
    expect(dnsRequiresTlsWords({ route: 'mx', dane: 'honor' }, zones({ dnssec: 'secure' }), 'mx')).toBeUndefined();
    expect(dnsRequiresTlsWords({ route: 'mx', dane: 'ignore' }, zones({ dnssec: 'secure', tlsa: { mx: tlsa } }), 'mx')).toBeUndefined();
    expect(dnsRequiresTlsWords({ route: 'mx', dane: 'honor' }, zones({ dnssec: 'secure', tlsa: { mx: tlsa } }, {}), 'mx')).toBeUndefined();
  });

  it('names an MTA-STS policy in enforce mode that the host matches, for a hop honouring MTA-STS; not testing mode, a failing policy host or a host outside the patterns', () => {
    const sts = (stsPolicy: object) => zones({ mtaSts: 'v=STSv1; id=1', stsPolicy: { mode: 'enforce', mx: ['*.mailhop.test'], ...stsPolicy } });
    expect(dnsRequiresTlsWords({ route: 'mx', mtaSts: 'honor' }, sts({}), 'mx')).toBe('partner.test publishes MTA-STS enforce (mx.mailhop.test matches *.mailhop.test; RFC 8461 §5): TLS was required');
    expect(dnsRequiresTlsWords({ route: 'mx' }, sts({}), 'mx')).toBeUndefined();
    expect(dnsRequiresTlsWords({ route: 'mx', mtaSts: 'honor' }, sts({ mode: 'testing' }), 'mx')).toBeUndefined();
    expect(dnsRequiresTlsWords({ route: 'mx', mtaSts: 'honor' }, sts({ serve: 'unreachable' }), 'mx')).toBeUndefined();
    expect(dnsRequiresTlsWords({ route: 'mx', mtaSts: 'honor' }, sts({ mx: ['mx.partner.test'] }), 'mx')).toBeUndefined();
  });
});

describe('the verdict of a link an engine sends on under DANE', () => {
  const LINK = 'mta->mx';
  function trace(dnsRequiresTls: string | undefined): TraceEvent[] {
    const started: HopStartedEvent = {
      kind: 'hop-started', source: 'chain', seq: 1, at: 0, link: 'client->mta', hop: 'mta', hopKind: 'engine', engine: 'exim', outboundLink: LINK,
      hostname: 'mta.mailhop.test', address: { host: '127.88.0.1', port: 2525 }, policy: 'opportunistic', ...(dnsRequiresTls ? { dnsRequiresTls } : {}), line: 'exim listening',
    };
    const relayed: EngineEvent = { kind: 'engine', source: 'engine', seq: 2, at: 0, link: LINK, hop: 'mta', engine: 'exim', fact: 'relayed', messageId: 'm1', line: '=> bob@partner.test' };
    const accepted: AcceptedEvent = { kind: 'accepted', source: 'receiver', seq: 3, at: 0, link: LINK, hop: 'mx', messageId: 'm1', secure: false, remotePort: 5001, protocol: 'ESMTP', tls: null };
    return [started, relayed, accepted];
  }

  it('is a leak when the content crossed in clear where DANE required TLS, and says why', () => {
    const words = 'partner.test publishes DANE (secure zone, 3 1 1 for mx; RFC 7672 §2.2): TLS was required';
    const v = judgeMessageLink(LINK, 'm1', trace(words));
    expect([v.crossedInClear, v.leak]).toEqual([true, true]);
    expect(v.notes).toContain(`LEAK: content crossed in clear although ${words}`);
  });

  it('is no leak for the same crossing where DANE did not apply (an opportunistic engine)', () => {
    const v = judgeMessageLink(LINK, 'm1', trace(undefined));
    expect([v.crossedInClear, v.leak, v.verdict]).toEqual([true, false, 'plain']);
  });
});
