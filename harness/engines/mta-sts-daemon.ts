/**
 * Postfix's MTA-STS (RFC 8461) policy resolver: Debian 12's postfix-mta-sts-resolver 1.1.2, whose `mta-sts-daemon`
 * answers Postfix's `smtp_tls_policy_maps` lookups over the socketmap protocol (socketmap_table(5)). For a recipient
 * domain it looks up the `_mta-sts` TXT record, fetches the policy over HTTPS (no redirect followed, `text/plain`
 * only) and answers, per its README and responder.py: `OK secure match=<patterns> servername=hostname` under `enforce`
 * (each `*.` pattern written as Postfix's `.parent` suffix match), `NOTFOUND` under `testing` or `none`, with no
 * policy, or when the fetch failed and nothing is cached; Postfix then keeps its own `smtp_tls_security_level`.
 *
 * How mailhop runs it beside a Postfix hop whose outbound says `route: mx` and `mtaSts: honor`, and why so:
 * - in a mount namespace of its own whose resolv.conf names the run's DNS server (engine-dns.ts): its TXT lookups are
 *   c-ares reading /etc/resolv.conf, its HTTPS fetch resolves `mta-sts.<domain>` through getaddrinfo(3), so its
 *   nsswitch.conf says `hosts: files dns`;
 * - trusting the run's CA alone (SSL_CERT_FILE, read by Python's ssl module; a clean environment, so no
 *   HTTPS_PROXY of the caller's reaches aiohttp); the policy hosts listen on port 443, the only port it fetches from
 *   (chain/chain-dns.ts);
 * - its socketmap on a unix socket in the run folder, not on a loopback port: 1.1.2 binds TCP with SO_REUSEPORT always
 *   (`reuse_port: false` crashes it: "UnboundLocalError: cannot access local variable 'opts'", observed), so a
 *   second run's daemon on the same address and port would silently share the first one's lookups;
 * - its cache `internal` (in memory): a new daemon per run starts empty, so no run sees another's policies. Within a
 *   run it reuses a policy without a new TXT lookup for `cache_grace` (60 s, its default), real time.
 */
import type { BesideProcess } from './engine-definition.js';
import type { RunFolder } from './run-folder.js';

/** Where Debian installs it. */
export const MTA_STS_DAEMON = '/usr/bin/mta-sts-daemon';

/** Its policy fetch and DNS time limit, seconds (its default: `timeout` of a zone). */
export const STS_RESOLVER_TIMEOUT_S = 4;

/** The socketmap's path in the run folder. */
const SOCKET = 'sts/socketmap';

/** The line its log (stderr) says once the socketmap serves (daemon.py, observed with 1.1.2). */
export const STS_RESOLVER_READY = /MAIN: Server started\.$/;

/**
 * main.cf lines that make Postfix's smtp client ask the resolver for each next-hop domain's TLS policy (postconf(5)
 * `smtp_tls_policy_maps`; the resolver's README, "Postfix configuration"), and trust the run's CA for the
 * certificate check its `secure` answers ask for (`smtp_tls_CAfile`).
 */
export function stsPolicyMapLines(folder: Pick<RunFolder, 'at'>, caFile: string): string[] {
  return [`smtp_tls_policy_maps = socketmap:unix:${folder.at(SOCKET)}:postfix`, `smtp_tls_CAfile = ${caFile}`];
}

/** The daemon's configuration (mta-sts-daemon.yml(5) keys; a JSON document is YAML too). */
export function stsResolverConfig(socket: string): string {
  return `${JSON.stringify({
    path: socket,
    // 0666: Postfix's smtp processes run as user postfix; the socket is in the run folder, which only postfix and root enter.
    mode: 0o666,
    shutdown_timeout: 1,
    cache: { type: 'internal', options: { cache_size: 1000 } },
    default_zone: { strict_testing: false, timeout: STS_RESOLVER_TIMEOUT_S, require_sni: true },
    proactive_policy_fetching: { enabled: false },
  }, null, 2)}\n`;
}

/**
 * Writes the daemon's configuration into `folder` and returns how to run it beside Postfix.
 * @param caFile the run's CA certificate (PEM), its only trust anchor for policy hosts.
 */
export function stsResolverBeside(folder: RunFolder, caFile: string): BesideProcess {
  folder.dir('sts', 0o755);
  const config = folder.file('sts/mta-sts-daemon.yml', stsResolverConfig(folder.at(SOCKET)));
  return {
    label: 'mta-sts-daemon',
    // -v debug: it logs each lookup and its answer (`Future await complete: data=b'...'`), the evidence of what it said.
    command: ['/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', `SSL_CERT_FILE=${caFile}`, MTA_STS_DAEMON, '-c', config, '-v', 'debug'],
    ready: STS_RESOLVER_READY,
    hostsFromDns: true,
  };
}
