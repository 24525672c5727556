/**
 * The run's DNS data, decided before the server listens: for each name and type, the records and how a validating
 * resolver would answer (RFC 4035 §4.3 statuses). Built from the scenario's `dns:` zones and the hops' certificates.
 * Pure: dns-server.ts serves it, tests read it.
 */
import type { DnsZones, DnssecStatus } from '../scenario/dns-zones.js';
import { tlsaData, type TlsaSources } from './tlsa-data.js';

/** One answer record, in dns-packet's shape for the types mailhop serves. */
export type DnsRecord =
  | { type: 'MX'; data: { preference: number; exchange: string } }
  | { type: 'TLSA'; data: { usage: number; selector: number; matchingType: number; certificate: Buffer } }
  | { type: 'TXT'; data: string }
  | { type: 'A'; data: string };

/** What the server answers for a name: the zone's status and the records per type. */
export interface DnsName {
  status: DnssecStatus;
  /** The zone the name belongs to. */
  zone: string;
  records: DnsRecord[];
}

/** Every name the run's DNS knows, by lower-case name. */
export type DnsAnswers = ReadonlyMap<string, DnsName>;

/** The hostname of a hop (chain/plan-chain.ts HOST_DOMAIN). */
export const hopHostname = (hop: string) => `${hop}.mailhop.test`;

/** The TLSA base name of a hop's SMTP service (RFC 7672 §2.2.3: port 25, TCP). */
export const tlsaName = (hop: string) => `_25._tcp.${hopHostname(hop)}`;

/**
 * The names and records of the zones.
 * @param sources per hop id, the certificates its TLSA records draw on (only hops with TLSA records need one).
 * @param stsHost per domain with an MTA-STS policy host, its loopback address: the A record of `mta-sts.<domain>`.
 * @param addressOf per MX target hop id, the IPv4 address its A record gives: default 127.0.0.1 (mailhop's own client
 *   reaches each MX host through its link proxy and reads only the name); a real engine connects to the address on
 *   port 25, so an engine's MX target gets the address its link proxy listens on (chain/chain-dns.ts).
 */
export function dnsAnswers(
  zones: DnsZones,
  sources: (hop: string) => TlsaSources,
  stsHost: (domain: string) => string | undefined = () => undefined,
  addressOf: (hop: string) => string = () => '127.0.0.1',
): Map<string, DnsName> {
  const names = new Map<string, DnsName>();
  const add = (name: string, zone: string, status: DnssecStatus, record?: DnsRecord) => {
    const entry = names.get(name) ?? { status, zone, records: [] };
    if (record) entry.records.push(record);
    names.set(name, entry);
  };
  for (const [domain, zone] of Object.entries(zones)) {
    add(domain, domain, zone.dnssec);
    for (const mx of zone.mx) {
      add(domain, domain, zone.dnssec, { type: 'MX', data: { preference: mx.preference, exchange: hopHostname(mx.hop) } });
      // The MX host's own name and its TLSA base name belong, for the resolver, to the zone that points at it.
      add(hopHostname(mx.hop), domain, zone.dnssec, { type: 'A', data: addressOf(mx.hop) });
      if (!names.has(tlsaName(mx.hop))) add(tlsaName(mx.hop), domain, zone.dnssec);
    }
    for (const [hop, records] of Object.entries(zone.tlsa)) {
      const certs = sources(hop);
      const entry = names.get(tlsaName(hop));
      // The zone that lists the records decides their status, whoever named the hop first.
      names.set(tlsaName(hop), { status: zone.dnssec, zone: domain, records: entry?.zone === domain ? entry.records : [] });
      for (const r of records) {
        add(tlsaName(hop), domain, zone.dnssec, { type: 'TLSA', data: { usage: r.usage, selector: r.selector, matchingType: r.matchingType, certificate: tlsaData(r, certs) } });
      }
    }
    if (zone.mtaSts !== undefined) add(`_mta-sts.${domain}`, domain, zone.dnssec, { type: 'TXT', data: zone.mtaSts });
    if (zone.tlsRpt !== undefined) add(`_smtp._tls.${domain}`, domain, zone.dnssec, { type: 'TXT', data: zone.tlsRpt });
    const policyHost = stsHost(domain);
    if (policyHost) add(`mta-sts.${domain}`, domain, zone.dnssec, { type: 'A', data: policyHost });
  }
  return names;
}

/** The zone a name falls under when nothing is recorded at it (a NXDOMAIN below a zone), or undefined. */
export function enclosingZone(answers: DnsAnswers, zones: Iterable<string>, name: string): DnsName | undefined {
  for (const zone of zones) {
    if (name === zone || name.endsWith(`.${zone}`)) {
      const apex = answers.get(zone);
      if (apex) return { status: apex.status, zone, records: [] };
    }
  }
  return undefined;
}
