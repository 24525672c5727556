/**
 * A real engine as a DNS client of the run's DNS server (harness/dns/dns-server.ts): routing by MX (RFC 5321 §5.1)
 * and DANE (RFC 7672) in the product's own terms. How it reaches the server, and why so:
 * - The engine runs in its own mount namespace but shares the machine's network (engine-namespace.ts), so the
 *   server must listen where the engine's resolver can reach it. glibc's stub resolver reads only addresses from
 *   resolv.conf(5), no port, so the run's server listens on port 53 of a loopback address of its own
 *   (127.53.x.y, chain/chain-dns.ts); binding port 53 needs root, as running the engines does.
 * - glibc since 2.31 clears the AD bit of every answer, and sets none in queries, unless resolv.conf says
 *   `options trust-ad` (RES_TRUSTAD; glibc NEWS 2.31). Without it Postfix and Exim see every zone as unsigned
 *   and never apply DANE (observed with Postfix 3.7.x and Exim 4.96 on glibc 2.36: test/engines/dane-fidelity.test.ts).
 *   The engine's private resolv.conf therefore names the run's server and trusts its AD bit: the server is on
 *   loopback, the path to it cannot be tampered with.
 * - The MX target's A record gives the address its link proxy listens on, port 25 (the port an MX is reached on,
 *   and the one TLSA records are published for: `_25._tcp`, RFC 7672 §2.2.3).
 */

import type { DnsZone, DnsZones } from '../scenario/dns-zones.js';
import { hopHostname } from '../dns/dns-answers.js';
import { matchingPattern } from '../mta-sts/policy-text.js';

/** Where the engine's resolver asks: the run's DNS server, on port 53 of `nameserver`. */
export interface EngineDns {
  /** IPv4 loopback address of the run's DNS server (port 53). */
  nameserver: string;
}

/** The port glibc's resolver asks on (resolv.conf(5) names addresses only). */
export const ENGINE_DNS_PORT = 53;

/** The port a real engine delivers to an MX host on (RFC 5321 §4.5.4.2 / IANA `smtp`). */
export const ENGINE_MX_PORT = 25;

/**
 * The engine's resolv.conf: the run's server, its AD bit trusted (`trust-ad`), one try with a 1 s wait so that a
 * `timeout` zone costs the engine seconds, not the 5 s x 2 glibc defaults. No `search`: names are absolute.
 */
export function engineResolvConf(dns: EngineDns): string {
  return `nameserver ${dns.nameserver}\noptions trust-ad attempts:1 timeout:1\n`;
}

/** What a hop's outbound asks of DNS: `route: mx`, its DANE policy and its MTA-STS policy (Postfix only: mta-sts-daemon.ts). */
export interface EngineDnsPolicy {
  route?: 'next' | 'mx';
  dane?: 'honor' | 'require' | 'ignore';
  mtaSts?: 'honor' | 'ignore';
}

/** The outbound's DNS keys, read from an engine hop's outbound of any `tls` variant. */
export function dnsPolicyOf(outbound: object): EngineDnsPolicy {
  const o = outbound as EngineDnsPolicy;
  return { ...(o.route ? { route: o.route } : {}), ...(o.dane ? { dane: o.dane } : {}), ...(o.mtaSts ? { mtaSts: o.mtaSts } : {}) };
}

/** Whether the hop routes by MX and asks an MTA-STS policy resolver (mta-sts-daemon.ts) for each recipient domain. */
export function honorsMtaSts(outbound: object): boolean {
  const policy = dnsPolicyOf(outbound);
  return policy.route === 'mx' && policy.mtaSts === 'honor';
}

/** Whether the hop routes by MX in the run's DNS. */
export function routesByMx(outbound: object): boolean {
  return dnsPolicyOf(outbound).route === 'mx';
}

/**
 * Postfix's smtp client for `route: mx` (postconf(5)): MX and address lookups in DNS with DNSSEC requested
 * (`smtp_dns_support_level = dnssec`, `smtp_host_lookup = dns`), and the TLS level DANE asks for: `dane` for
 * `honor` (usable TLSA records under DNSSEC: TLS mandatory and authenticated; otherwise `may`), `dane-only` for
 * `require`; with `ignore` the hop's own level stays.
 */
export function postfixDnsSettings(policy: EngineDnsPolicy): { lines: string[]; level?: string } {
  const lines = ['smtp_dns_support_level = dnssec', 'smtp_host_lookup = dns'];
  if (policy.dane === 'honor') return { lines, level: 'dane' };
  if (policy.dane === 'require') return { lines, level: 'dane-only' };
  return { lines };
}

/**
 * Exim's router for `route: mx` (the Exim specification, "The dnslookup router"): MX then address lookups with
 * DNSSEC requested (`dnssec_request_domains`), sending to a loopback address anyway (`self = send`).
 */
export function eximMxRouter(): string[] {
  return ['dnslookup:', '  driver = dnslookup', '  transport = remote_smtp', '  dnssec_request_domains = *', '  self = send', '  no_more'];
}

/**
 * The smtp transport's DANE options (the Exim specification, "DANE"): `hosts_try_dane` for `honor`,
 * `hosts_require_dane` for `require`; for `ignore` both empty (Exim 4.96 tries DANE for every host by default).
 */
export function eximDaneOptions(policy: EngineDnsPolicy): string[] {
  if (policy.dane === 'honor') return ['hosts_try_dane = *'];
  if (policy.dane === 'require') return ['hosts_require_dane = *'];
  return ['hosts_try_dane =', 'hosts_require_dane ='];
}

/**
 * What an engine hop sees of DNS, as `mailhop doctor` says it: Postfix and Exim with `route: mx` ask the run's DNS
 * server through a private resolv.conf; every other engine hop (and these without `route: mx`) looks names up in
 * the files of its namespace only (engine-namespace.ts).
 */
export const ENGINE_DNS_WORDS: Readonly<Record<'postfix' | 'sendmail' | 'exim' | 'opensmtpd', string>> = {
  postfix:
    "with route: mx, its resolv.conf is 'nameserver 127.53.x.y' (the run's DNS, port 53) and 'options trust-ad'; smtp_dns_support_level = dnssec, DANE at smtp_tls_security_level = dane | dane-only (Postfix 3.7 sets RES_TRUSTAD itself when it asks for DNSSEC: observed); with mtaSts: honor too, postfix-mta-sts-resolver beside it asks the same server (smtp_tls_policy_maps); otherwise names come from its hosts file only",
  exim:
    "with route: mx, its resolv.conf is 'nameserver 127.53.x.y' (the run's DNS, port 53) and 'options trust-ad', which Exim 4.96 needs: without it glibc 2.36 clears the AD bit and Exim never applies DANE (observed); a dnslookup router with dnssec_request_domains, hosts_try_dane / hosts_require_dane; otherwise names come from its hosts file only",
  sendmail: 'no DNS: names come from its hosts file only (route: mx is postfix and exim only)',
  opensmtpd: 'no DNS: names come from its hosts file only (route: mx is postfix and exim only)',
};

/**
 * Whether the recipient domains' DNS requires TLS on the link from an engine hop to the MX host `to`, judged from the
 * scenario's zones rather than from what the engine made of them. Every domain whose MX records name `to` must
 * require it, each in one of two ways:
 * - DANE (RFC 7672 §2.2): the hop honours or requires DANE, and the zone is DNSSEC-signed (`secure`) with TLSA records
 *   for `to`, usable or not (any such record makes TLS mandatory);
 * - MTA-STS (RFC 8461 §5): the hop honours MTA-STS, and the domain announces (`mtaSts` TXT) and serves (`serve:
 *   policy`, a valid certificate) a policy in enforce mode whose patterns match `to`'s name.
 * Returns the words the verdict gives a plaintext crossing there (a leak), or undefined when DNS does not decide the
 * link or when the host also serves a domain that does not require TLS (a crossing in clear could be that domain's
 * copy, which is no leak). A policy cached by the engine before the run is not modelled here: engines start empty.
 */
export function dnsRequiresTlsWords(policy: EngineDnsPolicy, zones: DnsZones | undefined, to: string): string | undefined {
  if (policy.route !== 'mx' || !zones) return undefined;
  const served = Object.entries(zones).filter(([, zone]) => zone.mx.some((m) => m.hop === to));
  const why = served.map(([domain, zone]) => requiresTls(policy, domain, zone, to));
  if (served.length === 0 || why.some((w) => w === undefined)) return undefined;
  return `${why.join('; ')}: TLS was required`;
}

/** Why `domain`'s DNS requires TLS towards `to` (DANE first: it wins where both apply, RFC 8461 §2), or undefined. */
function requiresTls(policy: EngineDnsPolicy, domain: string, zone: DnsZone, to: string): string | undefined {
  const dane = policy.dane === 'honor' || policy.dane === 'require';
  if (dane && zone.dnssec === 'secure' && zone.tlsa[to]?.length) {
    return `${domain} publishes DANE (secure zone, ${zone.tlsa[to].map((r) => `${r.usage} ${r.selector} ${r.matchingType}`).join(', ')} for ${to}; RFC 7672 §2.2)`;
  }
  const sts = zone.stsPolicy;
  if (policy.mtaSts !== 'honor' || !zone.mtaSts || !sts || sts.mode !== 'enforce' || sts.serve !== 'policy' || sts.cert !== 'valid') return undefined;
  const pattern = matchingPattern({ mode: sts.mode, mx: sts.mx, maxAge: 0 }, hopHostname(to));
  return pattern ? `${domain} publishes MTA-STS enforce (${hopHostname(to)} matches ${pattern}; RFC 8461 §5)` : undefined;
}
