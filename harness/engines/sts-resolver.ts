/**
 * Whether a real sender can take part in MTA-STS (RFC 8461) runs: Postfix has no MTA-STS of its own and needs a policy
 * resolver behind `smtp_tls_policy_maps`; Debian 12 packages postfix-mta-sts-resolver 1.1.2 for that. What `mailhop
 * doctor` says about it: found or not, and why it is not wired to the Postfix hop. Cheap checks only (files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The state of the policy resolver for Postfix. */
export interface StsResolverDiagnosis {
  resolver: 'postfix-mta-sts-resolver';
  /** E.g. `postfix-mta-sts-resolver 1.1.2`; absent when not installed. */
  found?: string;
  /** Always false for now: mailhop does not start it for a Postfix hop. */
  wired: false;
  /** Why not, in plain words. */
  why: string;
}

const PACKAGES = '/usr/lib/python3/dist-packages';

/**
 * Why the resolver is not wired, observed with postfix-mta-sts-resolver 1.1.2 on Debian 12 (`mta-sts-query`
 * fetched and parsed a policy from mailhop's policy host through mailhop's DNS once these three were arranged by hand):
 * its DNS is c-ares reading /etc/resolv.conf, so it needs a private mount namespace whose resolv.conf names a DNS
 * server on port 53; its fetch goes to port 443 of the A record's address and trusts only the system CAs or
 * SSL_CERT_FILE. A Postfix hop routes by MX through the run's DNS (as a DANE client, engine-dns.ts), so what is left is
 * running the daemon beside it with those three, and a policy host on port 443.
 */
export const NOT_WIRED =
  'not wired to the Postfix hop yet (a Postfix hop routes by MX through the run\'s DNS as a DANE client, but not under MTA-STS): the resolver (c-ares, aiohttp) ' +
  'reads /etc/resolv.conf (a DNS server on port 53 in a private mount namespace), fetches from port 443 of mta-sts.<domain> ' +
  '(mailhop\'s policy hosts listen on ephemeral ports) and trusts the run\'s CA only through SSL_CERT_FILE';

/** The diagnosis: the installed version, if any, and why it is not used. */
export function diagnoseStsResolver(packages = PACKAGES, daemon = '/usr/bin/mta-sts-daemon'): StsResolverDiagnosis {
  const installed = existsSync(daemon) && existsSync(packages);
  const info = installed ? readdirSync(packages).find((d) => /^postfix_mta_sts_resolver-.*\.egg-info$/.test(d)) : undefined;
  const version = info ? /^Version: (.+)$/m.exec(readFileSync(`${packages}/${info}/PKG-INFO`, 'utf8'))?.[1] : undefined;
  if (!installed) return { resolver: 'postfix-mta-sts-resolver', wired: false, why: `not installed (Debian 12: apt-get install postfix-mta-sts-resolver); ${NOT_WIRED}` };
  return { resolver: 'postfix-mta-sts-resolver', found: `postfix-mta-sts-resolver ${version ?? '(version unknown)'}`, wired: false, why: NOT_WIRED };
}
