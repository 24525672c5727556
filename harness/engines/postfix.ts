/**
 * Postfix as a hop (Postfix's MULTI_INSTANCE_README for an instance per config directory, postconf(5) for
 * every parameter it sets, master(8) `-d` for the foreground; the set-up: docs/engines.md#postfix):
 * Debian's apt package, one instance per run folder with its
 * own main.cf/master.cf, queue and data directory, `master -d` in the foreground. It logs through
 * syslog (mailhop's socket). Fast retries ({@link POSTFIX_QUEUE_TIMING}): a deferred message is tried
 * again 1-3 s later, and the plaintext fallback of level `may` comes on the second or third attempt
 * (Postfix HISTORY 20140218: plaintext after a TLS failure only once the message is `minimal_backoff_time`
 * old; docs/behaviour.md#B-handshake-postfix).
 * The outbound keys it takes ({@link outboundSettings}): `verify` = level `verify` against the run's CA and the
 * next hop's name, `timeout` / `starttlsTimeout` = the smtp client's time limits, `tlsCiphers` = the cipher list.
 */
import { existsSync, utimesSync } from 'node:fs';
import { groupId, userIds } from './system-users.js';
import { seconds, verifiedName, type EngineDefinition, type EngineHopConfig, type EngineLaunch } from './engine-definition.js';
import type { RunFolder } from './run-folder.js';
import { PostfixLogReader } from './postfix-log.js';
import { MailhopError } from '../errors.js';
import { dnsPolicyOf, honorsMtaSts, postfixDnsSettings } from './engine-dns.js';
import { MTA_STS_DAEMON, stsPolicyMapLines, stsResolverBeside } from './mta-sts-daemon.js';

const INBOUND_LEVEL = { offer: 'may', none: 'none', require: 'encrypt' } as Record<string, string>;
const OUTBOUND_LEVEL = { none: 'none', opportunistic: 'may', mandatory: 'encrypt', verify: 'verify' } as Record<string, string>;

/** The smtp client's time limits for connecting and for each reply (postconf(5); `smtp_xforward_timeout` is never used here). */
const REPLY_TIMEOUTS = ['smtp_connect_timeout', 'smtp_helo_timeout', 'smtp_mail_timeout', 'smtp_rcpt_timeout', 'smtp_data_init_timeout', 'smtp_data_xfer_timeout', 'smtp_data_done_timeout', 'smtp_rset_timeout', 'smtp_quit_timeout'];

/**
 * main.cf lines for the outbound keys a Postfix hop takes (postconf(5)); none when the hop gives none, so Postfix
 * keeps its own defaults (300 s for the handshake and most replies):
 * - `verify`: `smtp_tls_security_level = verify` (set beside the others) with `smtp_tls_CAfile` = the run's CA and
 *   `smtp_tls_verify_cert_match` = the next hop's name, a literal pattern: the relay host is an address literal, so
 *   the default strategy `hostname` would match the certificate against the address;
 * - `timeout`: every smtp_*_timeout that limits a connection or a reply; `starttlsTimeout` (else `timeout`):
 *   `smtp_starttls_timeout`, the limit for each read and write of the TLS handshake;
 * - `tlsCiphers`: Postfix takes cipher grades, not cipher strings, so the string becomes the `high` grade's list
 *   (`tls_high_cipherlist`) and both client grades (`smtp_tls_ciphers`, `smtp_tls_mandatory_ciphers`) are set to
 *   `high`; its server side stays on `medium`, whose list is untouched.
 */
export function outboundSettings(c: EngineHopConfig, caFile: string): string[] {
  const out = c.hop.outbound;
  const lines: string[] = [];
  if (out.tls === 'verify') lines.push(`smtp_tls_CAfile = ${caFile}`, `smtp_tls_verify_cert_match = ${verifiedName(c)}`);
  if (out.timeout !== undefined) lines.push(...REPLY_TIMEOUTS.map((p) => `${p} = ${seconds(out.timeout!)}`));
  const starttls = out.tls === 'none' ? undefined : (out.starttlsTimeout ?? out.timeout);
  if (starttls !== undefined) lines.push(`smtp_starttls_timeout = ${seconds(starttls)}`);
  if (out.tls !== 'none' && out.tlsCiphers) {
    lines.push(`tls_high_cipherlist = ${out.tlsCiphers}`, 'smtp_tls_ciphers = high', 'smtp_tls_mandatory_ciphers = high');
  }
  return lines;
}

/** Queue subdirectories as `postfix check` creates them (postfix-files): [name, mode, group]. */
const QUEUE_DIRS: Array<[string, number, 'root' | 'postdrop']> = [
  ...['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming', 'private', 'saved', 'trace'].map(
    (d) => [d, 0o700, 'root'] as [string, number, 'root'],
  ),
  ['maildrop', 0o730, 'postdrop'],
  ['public', 0o710, 'postdrop'],
];

/**
 * Queue timing written into main.cf, in seconds. Two rules of Postfix's queue manager (qmgr_active.c,
 * smtp_connect.c, Postfix 3.7) set the numbers:
 * - a deferred file's time stamp is put `minimal_backoff_time` into the future (whole seconds), and a
 *   queue scan takes any file stamped no more than 1 s ahead. The smtp process reports the deferral
 *   to qmgr before it unlocks the queue file; a scan that finds the file still locked logs "skipped,
 *   still being delivered" and postpones it a fixed 60 s, past mailhop's wait (`engineSettleMs`).
 *   With 1 s the file was due again at once, so on a loaded machine a scan raced the smtp process
 *   and lost now and then; with 3 s no scan takes it before a full second after the deferral.
 * - level `may` falls back to plaintext after a failed handshake only once the message waited
 *   `minimal_backoff_time` before the attempt (whole seconds); each retry adds at least 2 s of such
 *   waiting, so the third attempt is always old enough, the second often ({@link postfix}'s
 *   settleAfterDeferrals counts on that).
 */
export const POSTFIX_QUEUE_TIMING = { queueRunDelay: 1, minimalBackoff: 3, maximalBackoff: 3 } as const;

/**
 * main.cf for one hop (Postfix's main.cf(5) parameters), with queue, data and certificate paths
 * inside `folder`; `mailbox` (the virtual uid/gid) when the hop is the final mailbox.
 */
export function postfixMainCf(folder: Pick<RunFolder, 'at'>, c: EngineHopConfig, mailbox: { uid: number; gid: number } | null): string {
  // Routing by MX in the run's DNS (engine-dns.ts): no relayhost, DNSSEC requested, DANE's TLS level if asked.
  const viaDns = c.dns && c.next ? postfixDnsSettings(dnsPolicyOf(c.hop.outbound)) : undefined;
  // MTA-STS (RFC 8461): each next-hop domain's policy from postfix-mta-sts-resolver, running beside it (mta-sts-daemon.ts).
  const sts = viaDns && honorsMtaSts(c.hop.outbound) ? stsPolicyMapLines(folder, folder.at('certs/ca.pem')) : [];
  const lines = [
    'compatibility_level = 3.6',
    `myhostname = ${c.hostname}`,
    'myorigin = $myhostname',
    'mydestination =',
    `queue_directory = ${folder.at('spool')}`,
    `data_directory = ${folder.at('data')}`,
    'inet_interfaces = loopback-only',
    'inet_protocols = ipv4',
    'mynetworks = 127.0.0.0/8',
    'smtpd_relay_restrictions = permit_mynetworks, reject',
    'alias_maps =',
    'alias_database =',
    'local_recipient_maps =',
    'biff = no',
    // No DNS for peer names; none at all unless the hop routes by MX (then the relay host is not an address literal).
    'smtpd_peername_lookup = no',
    ...(viaDns ? viaDns.lines : ['smtp_dns_support_level = disabled']),
    'smtpd_client_port_logging = yes',
    `smtpd_tls_security_level = ${INBOUND_LEVEL[c.hop.inbound.starttls]}`,
    `smtpd_tls_chain_files = ${folder.at('certs/key.pem')}, ${folder.at('certs/cert.pem')}`,
    'smtpd_tls_received_header = yes',
    'smtpd_tls_loglevel = 1',
    `smtp_tls_security_level = ${viaDns?.level ?? OUTBOUND_LEVEL[c.hop.outbound.tls]}`,
    'smtp_tls_loglevel = 1',
    ...outboundSettings(c, folder.at('certs/ca.pem')),
    ...sts,
    // One delivery per connection, so each "TLS connection established" line belongs to the next status line.
    'smtp_connection_cache_on_demand = no',
    `queue_run_delay = ${POSTFIX_QUEUE_TIMING.queueRunDelay}s`,
    `minimal_backoff_time = ${POSTFIX_QUEUE_TIMING.minimalBackoff}s`,
    `maximal_backoff_time = ${POSTFIX_QUEUE_TIMING.maximalBackoff}s`,
  ];
  if (c.next && !viaDns) lines.push(`relayhost = [${c.next.host}]:${c.next.port}`);
  if (mailbox) {
    lines.push(
      // The final mailbox: every recipient of every domain into one Maildir.
      `virtual_mailbox_domains = regexp:${folder.at('etc/any')}`,
      `virtual_mailbox_maps = regexp:${folder.at('etc/mailbox')}`,
      `virtual_mailbox_base = ${folder.at('mailbox')}`,
      `virtual_uid_maps = static:${mailbox.uid}`,
      `virtual_gid_maps = static:${mailbox.gid}`,
      `virtual_minimum_uid = ${mailbox.uid}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function masterCf(c: EngineHopConfig): string {
  const services = [
    `${c.listen.host}:${c.listen.port} inet n - n - - smtpd`,
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'tlsmgr unix - - n 1000? 1 tlsmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'local unix - n n - - local',
    'virtual unix - n n - - virtual',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
  ];
  return `${services.join('\n')}\n`;
}

export const postfix: EngineDefinition = {
  name: 'postfix',
  folderOwner: 'postfix',
  requires: { users: ['postfix'], binaries: (p) => [p.postfix.master, p.postfix.postfix] },
  // Level may: the plaintext fallback comes by the third attempt (POSTFIX_QUEUE_TIMING); a third deferral means it never will.
  settleAfterDeferrals: 3,
  async prepare(folder, c): Promise<EngineLaunch> {
    const pf = userIds('postfix');
    const postdrop = groupId('postdrop');
    if (!pf || postdrop === undefined) {
      throw MailhopError.of('ENOENGINE', { where: `hop ${c.hop.id} (postfix)`, what: 'run postfix', why: 'user postfix or group postdrop is missing', hint: 'Run "mailhop install-mtas" as root (apt-get install postfix creates them).', hop: c.hop.id });
    }
    const mailbox = c.next ? null : pf;
    folder.file('certs/key.pem', c.keyCert.key, 0o600);
    folder.file('certs/cert.pem', c.keyCert.cert);
    folder.file('certs/ca.pem', c.caCert);
    folder.dir('data', 0o700, pf);
    folder.dir('spool', 0o755);
    folder.dir('spool/pid', 0o755);
    for (const [name, mode, group] of QUEUE_DIRS) folder.dir(`spool/${name}`, mode, { uid: pf.uid, gid: group === 'root' ? 0 : postdrop });
    folder.file('etc/main.cf', postfixMainCf(folder, c, mailbox));
    folder.file('etc/master.cf', masterCf(c));
    let maildir: string | undefined;
    if (mailbox) {
      folder.file('etc/any', '/./ OK\n');
      folder.file('etc/mailbox', '/./ maildir/\n');
      folder.dir('mailbox', 0o700, pf);
      maildir = folder.at('mailbox/maildir');
    }
    // Postfix re-reads a table or main.cf modified within the last second until it is older (dict_load_file,
    // 300 ms naps: ~2 s at start); the files are complete, so date them a minute back.
    const past = new Date(Date.now() - 60_000);
    for (const f of ['main.cf', 'master.cf', ...(mailbox ? ['any', 'mailbox'] : [])]) utimesSync(folder.at('etc', f), past, past);
    const beside = c.dns && c.next && honorsMtaSts(c.hop.outbound) ? [stsResolverBeside(folder, folder.at('certs/ca.pem'))] : [];
    if (beside.length && !existsSync(MTA_STS_DAEMON)) {
      throw MailhopError.of('ENOENGINE', { where: `hop ${c.hop.id} (postfix)`, what: 'apply MTA-STS (outbound.mtaSts: honor)', why: `its policy resolver is not installed: ${MTA_STS_DAEMON} missing`, hint: 'Run "mailhop install-mtas" as root (apt-get install postfix-mta-sts-resolver), or drop mtaSts from the hop.', hop: c.hop.id });
    }
    return { command: [c.paths.postfix.master, '-d', '-c', folder.at('etc')], syslog: true, maildir, ...(beside.length ? { beside } : {}) };
  },
  logReader: (idOf) => new PostfixLogReader(idOf),
};

