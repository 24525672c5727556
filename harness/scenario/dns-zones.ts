/**
 * The scenario's `dns:` block: the zones the run's DNS server answers for (harness/dns/), keyed by domain. Each zone
 * has a DNSSEC status, as a validating resolver would report it, and the records mailhop needs for routing and
 * policy: MX (RFC 5321 §5.1), TLSA for an MX host's port-25 name (RFC 6698 §2, RFC 7672 §2.2) and the TXT records
 * of MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3). Part of the scenario schema (schema.ts re-exports it).
 *
 * MX targets are hops: an MX record names a hop id and points at its hostname `<id>.mailhop.test`; the TLSA
 * records a zone lists for a hop are served at `_25._tcp.<id>.mailhop.test` with that zone's DNSSEC status.
 */
import { z } from 'zod';
import { HopId } from './hop-kind.js';
import { StsPolicyHost } from './sts-policy.js';

/**
 * What a validating resolver makes of a zone (RFC 4035 §4.3): `secure` answers carry the AD bit; `insecure` answers
 * do not; `bogus` (signatures that do not validate) and `servfail` are answered SERVFAIL; `timeout` is never answered.
 */
export const DnssecStatus = z.enum(['secure', 'insecure', 'bogus', 'servfail', 'timeout']);
export type DnssecStatus = z.infer<typeof DnssecStatus>;

/**
 * What a TLSA record's association data is made from (RFC 6698 §2.1.4, filled in at start from the run's PKI):
 * - `served-key`: the certificate (or key) the hop serves now;
 * - `old-key`: another key, as a record left stale after a key roll (RFC 7671 §8.1);
 * - `issuer`: the run's CA, which issued the served certificate (a trust anchor for DANE-TA(2));
 * - `garbage`: bytes of the right length that match nothing.
 */
export const TlsaMatches = z.enum(['served-key', 'old-key', 'issuer', 'garbage']);
export type TlsaMatches = z.infer<typeof TlsaMatches>;

/**
 * One TLSA record (RFC 6698 §2.1): certificate usage 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE; selector 0 full
 * certificate, 1 SubjectPublicKeyInfo; matching type 0 exact, 1 SHA-256, 2 SHA-512. Usages 0 and 1 are unusable for
 * SMTP (RFC 7672 §3.1.3); they can still be published, which makes TLS mandatory but not authenticated.
 */
export const TlsaRecord = z.strictObject({
  usage: z.number().int().min(0).max(3),
  selector: z.number().int().min(0).max(1),
  matchingType: z.number().int().min(0).max(2),
  matches: TlsaMatches,
});
export type TlsaRecord = z.output<typeof TlsaRecord>;

/** An MX record: a hop that receives the domain's mail, and its preference (lower is tried first, RFC 5321 §5.1). */
export const MxRecord = z.strictObject({
  hop: HopId,
  preference: z.number().int().min(0).max(65535),
});
export type MxRecord = z.output<typeof MxRecord>;

/** A TXT record's text: one string, at most 255 bytes per character-string being split by the server. */
const TxtText = z.string().max(2048);

/** One zone of the run's DNS. */
export const DnsZone = z.strictObject({
  /** How a validating resolver sees the zone; absent: `insecure` (unsigned). */
  dnssec: DnssecStatus.default('insecure'),
  /** The domain's MX records; empty: the domain has none. */
  mx: z.array(MxRecord).default([]),
  /** TLSA records at `_25._tcp.<hop>.mailhop.test`, per hop id. */
  tlsa: z.record(HopId, z.array(TlsaRecord).min(1)).default({}),
  /** TXT at `_mta-sts.<domain>` (RFC 8461 §3.1), e.g. `v=STSv1; id=20260101`. */
  mtaSts: TxtText.optional(),
  /** TXT at `_smtp._tls.<domain>` (RFC 8460 §3), e.g. `v=TLSRPTv1; rua=mailto:tlsrpt@partner.test`. */
  tlsRpt: TxtText.optional(),
  /**
   * The MTA-STS policy served at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 §3.3), and how the
   * fetch goes (sts-policy.ts); `mta-sts.<domain>` then has an A record to the policy host's loopback address.
   */
  stsPolicy: StsPolicyHost.optional(),
}).superRefine((zone, ctx) => {
  // A sender fetches the policy only after the TXT record names its id (RFC 8461 §3.1, §3.3); without one the policy
  // host would be served and never asked, and the domain would count as having no MTA-STS.
  if (zone.stsPolicy && zone.mtaSts === undefined) {
    ctx.addIssue({ code: 'custom', path: ['stsPolicy'], message: 'senders fetch the policy only after the _mta-sts TXT record names its id (RFC 8461 §3.1): add mtaSts: "v=STSv1; id=20261201" to this zone' });
  }
});
export type DnsZone = z.output<typeof DnsZone>;

/** A zone's domain: lower-case labels, not under mailhop.test (the hops' own names). */
const ZoneName = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, 'must be a lower-case domain name like partner.test')
  .refine((d) => d !== 'mailhop.test' && !d.endsWith('.mailhop.test'), { message: 'mailhop.test holds the hops\' own names; use another domain' });

/** The `dns:` block: zones by domain. */
export const DnsZones = z.record(ZoneName, DnsZone);
export type DnsZones = z.output<typeof DnsZones>;

/** The domain of an address (`bob@Partner.test` -> `partner.test`). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
