/**
 * Whether a real sender can take part in MTA-STS (RFC 8461) runs: Postfix has no MTA-STS of its own and needs a policy
 * resolver behind `smtp_tls_policy_maps`; Debian 12 packages postfix-mta-sts-resolver 1.1.2 for that, and mailhop runs
 * its daemon beside a Postfix hop whose outbound says `route: mx` and `mtaSts: honor` (mta-sts-daemon.ts). What
 * `mailhop doctor` says about it: found and wired, or not installed. Cheap checks only (files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { MTA_STS_DAEMON } from './mta-sts-daemon.js';

/** The state of the policy resolver for Postfix. */
export interface StsResolverDiagnosis {
  resolver: 'postfix-mta-sts-resolver';
  /** E.g. `postfix-mta-sts-resolver 1.1.2`; absent when not installed. */
  found?: string;
  /** True when installed: mailhop then starts it beside a Postfix hop with `mtaSts: honor`. */
  wired: boolean;
  /** How it is wired, or why it cannot be, in plain words. */
  why: string;
}

const PACKAGES = '/usr/lib/python3/dist-packages';

/**
 * How it is wired, observed with postfix-mta-sts-resolver 1.1.2 and Postfix 3.7 on Debian 12
 * (test/engines/mta-sts-fidelity.test.ts): the daemon in a mount namespace of its own whose resolv.conf names the run's
 * DNS server (port 53), the run's CA as its SSL_CERT_FILE, the run's policy hosts on port 443, its socketmap on a unix
 * socket in the hop's run folder, and an in-memory cache that starts empty each run.
 */
export const WIRED =
  "started beside a postfix hop with route: mx and mtaSts: honor (smtp_tls_policy_maps = socketmap:unix:<run folder>/sts/socketmap:postfix): " +
  "its own namespace whose resolv.conf names the run's DNS (port 53), SSL_CERT_FILE = the run's CA, policy hosts on port 443 (root), " +
  'an in-memory cache that starts empty each run';

/** Why it cannot be used when it is not installed. */
export const NOT_INSTALLED = 'not installed (Debian 12: apt-get install postfix-mta-sts-resolver); a postfix hop with mtaSts: honor cannot start without it';

/** The diagnosis: the installed version, if any, and whether mailhop uses it. */
export function diagnoseStsResolver(packages = PACKAGES, daemon = MTA_STS_DAEMON): StsResolverDiagnosis {
  const installed = existsSync(daemon) && existsSync(packages);
  const info = installed ? readdirSync(packages).find((d) => /^postfix_mta_sts_resolver-.*\.egg-info$/.test(d)) : undefined;
  const version = info ? /^Version: (.+)$/m.exec(readFileSync(`${packages}/${info}/PKG-INFO`, 'utf8'))?.[1] : undefined;
  if (!installed) return { resolver: 'postfix-mta-sts-resolver', wired: false, why: NOT_INSTALLED };
  return { resolver: 'postfix-mta-sts-resolver', found: `postfix-mta-sts-resolver ${version ?? '(version unknown)'}`, wired: true, why: WIRED };
}
