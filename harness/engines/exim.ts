/**
 * Exim as a hop (options from the Exim specification: chapter "The smtp transport" for `hosts_require_tls`,
 * `hosts_avoid_tls`, `tls_tempfail_tryclear`; chapter "Main configuration" for `tls_advertise_hosts`; the
 * set-up: docs/engines.md#exim): the unpacked exim4-daemon-light (GnuTLS), `-bdf -q1s` in the
 * foreground, retry rule `F,1h,1s`. It re-executes itself as Debian-exim (hence `exim_path`, and a
 * run folder and key that user can read) and logs through syslog.
 * - inbound: `tls_advertise_hosts` (empty for `none`); `require` denies MAIL in clear with
 *   `530 5.7.0` (RFC 3207 §4) from an ACL.
 * - outbound: opportunistic is its default (there is no `hosts_try_tls`); `mandatory` =
 *   `hosts_require_tls = *`; `none` = `hosts_avoid_tls = *`; `fallback: never` =
 *   `tls_tempfail_tryclear = false` (its default reconnects in plaintext at once, docs/behaviour.md#B-handshake-exim);
 *   `verify`: {@link transportTls}; `timeout` and `starttlsTimeout`: {@link transportTimeouts}.
 * - as the final mailbox: an `accept` router into a Maildir.
 */
import { userIds } from './system-users.js';
import { seconds, verifiedName, type EngineDefinition, type EngineHopConfig, type EngineLaunch } from './engine-definition.js';
import type { RunFolder } from './run-folder.js';
import { EximLogReader } from './exim-log.js';
import { MailhopError } from '../errors.js';
import { dnsPolicyOf, eximDaneOptions, eximMxRouter } from './engine-dns.js';

const USER = 'Debian-exim';

/**
 * The smtp transport's TLS options (the Exim specification, chapter "The smtp transport"). `verify`: TLS required
 * (`hosts_require_tls`), the certificate verified against the run's CA (`tls_verify_hosts`,
 * `tls_verify_certificates`) and its name against the host's (`tls_verify_cert_hostnames`, its default made
 * explicit); the name checked is the one the router found the host by, so the router routes by the next hop's name
 * (see {@link conf}).
 */
function transportTls(c: EngineHopConfig, caFile: string): string[] {
  const out = c.hop.outbound;
  if (out.tls === 'none') return ['hosts_avoid_tls = *'];
  if (out.tls === 'mandatory') return ['hosts_require_tls = *'];
  if (out.tls === 'verify') return ['hosts_require_tls = *', 'tls_verify_hosts = *', `tls_verify_certificates = ${caFile}`, 'tls_verify_cert_hostnames = *'];
  return out.fallback === 'never' ? ['tls_tempfail_tryclear = false'] : [];
}

/**
 * The smtp transport's time limits (the Exim specification, chapter "The smtp transport"): `outbound.timeout` sets
 * `connect_timeout`, `command_timeout` (the banner, each reply), `data_timeout` (each block of the message) and
 * `final_timeout` (the reply to the final dot). `command_timeout` also times the TLS handshake (tls-gnu.c arms its
 * alarm with it around `gnutls_handshake`), so `starttlsTimeout` sets it too; the schema lets the two differ only
 * when one is absent. None when absent: Exim keeps 5m, 5m, 5m and 10m.
 */
function transportTimeouts(c: EngineHopConfig): string[] {
  const out = c.hop.outbound;
  const command = out.timeout ?? (out.tls === 'none' ? undefined : out.starttlsTimeout);
  const others = out.timeout === undefined ? [] : ['connect_timeout', 'data_timeout', 'final_timeout'].map((o) => `${o} = ${seconds(out.timeout!)}`);
  return [...(command === undefined ? [] : [`command_timeout = ${seconds(command)}`]), ...others];
}

function conf(folder: RunFolder, c: EngineHopConfig): string {
  const inbound = c.hop.inbound.starttls;
  // Under verify the router finds the next hop by its name (from the hosts file mailhop writes into the
  // namespace), so that name is the one the certificate is checked against; otherwise by its address.
  const nextHost = c.next && c.hop.outbound.tls === 'verify' ? `${verifiedName(c)} byname` : c.next?.host;
  const viaDns = c.dns !== undefined && c.next !== null;
  const route = viaDns
    ? eximMxRouter()
    : c.next
    ? ['smarthost:', '  driver = manualroute', `  route_list = * ${nextHost}`, '  # the next hop is a local address: send to it anyway', '  self = send', '  transport = remote_smtp', '  no_more']
    : ['mailbox:', '  driver = accept', '  transport = maildir_delivery', '  no_more'];
  const transports = c.next
    ? [
        'remote_smtp:',
        '  driver = smtp',
        // Routed by MX: port 25, where the MX target's link proxy listens (engine-dns.ts).
        ...(viaDns ? eximDaneOptions(dnsPolicyOf(c.hop.outbound)).map((l) => `  ${l}`) : [`  port = ${c.next.port}`]),
        '  allow_localhost',
        // Exim pipelines QUIT after the final dot and half-closes at once; mailhop's STARTTLS fronts (mta/fronts/,
        // used by none/fake-*/break-handshake hops) drop such a connection before the 250, and Exim then sends the
        // message twice. Until the fronts handle half-close, Exim waits for each reply (not TLS-relevant).
        '  hosts_avoid_pipelining = *',
        ...[...transportTls(c, folder.at('certs/ca.pem')), ...transportTimeouts(c)].map((l) => `  ${l}`),
      ]
    : ['maildir_delivery:', '  driver = appendfile', `  directory = ${folder.at('mailbox/maildir')}`, '  maildir_format', '  create_directory', `  user = ${USER}`, '  envelope_to_add', '  return_path_add'];
  return [
    `primary_hostname = ${c.hostname}`,
    `spool_directory = ${folder.at('spool')}`,
    'log_file_path = syslog',
    'syslog_duplication = false',
    'log_selector = +tls_cipher +incoming_port +outgoing_port',
    `pid_file_path = ${folder.at('exim.pid')}`,
    `exim_path = ${c.paths.exim.exim}`,
    `exim_user = ${USER}`,
    `exim_group = ${USER}`,
    'never_users = root',
    'keep_environment =',
    `local_interfaces = <; ${c.listen.host}.${c.listen.port}`,
    'host_lookup =',
    'rfc1413_hosts =',
    'acl_smtp_rcpt = acl_rcpt',
    ...(inbound === 'require' ? ['acl_smtp_mail = acl_mail'] : []),
    `tls_advertise_hosts = ${inbound === 'none' ? '' : '*'}`,
    `tls_certificate = ${folder.at('certs/cert.pem')}`,
    `tls_privatekey = ${folder.at('certs/key.pem')}`,
    'queue_run_max = 5',
    '',
    'begin acl',
    'acl_rcpt:',
    '  accept hosts = 127.0.0.0/8',
    '  deny message = relay not permitted',
    ...(inbound === 'require' ? ['acl_mail:', '  deny !encrypted = *', '       message = 530 5.7.0 Must issue a STARTTLS command first', '  accept'] : []),
    '',
    'begin routers',
    ...route,
    '',
    'begin transports',
    ...transports,
    '',
    'begin retry',
    '*   *   F,1h,1s',
    '',
  ].join('\n');
}

export const exim: EngineDefinition = {
  name: 'exim',
  folderOwner: USER,
  requires: { users: [USER], binaries: (p) => [p.exim.exim] },
  settleAfterDeferrals: 2,
  async prepare(folder, c): Promise<EngineLaunch> {
    const ex = userIds(USER);
    if (!ex) throw MailhopError.of('ENOENGINE', { where: `hop ${c.hop.id} (exim)`, what: 'run exim', why: `user ${USER} is missing`, hint: 'Run "mailhop install-mtas" as root (it creates the user).', hop: c.hop.id });
    folder.dir('spool', 0o750, ex);
    folder.dir('certs', 0o750, { uid: 0, gid: ex.gid });
    // Exim reads its key after dropping privileges to Debian-exim (the Exim specification, "Encrypted SMTP
    // connections using TLS/SSL": the files are read as the Exim user; observed with Exim 4.96 as a permission error).
    folder.file('certs/key.pem', c.keyCert.key, 0o640, { uid: 0, gid: ex.gid });
    folder.file('certs/cert.pem', c.keyCert.cert, 0o644);
    folder.file('certs/ca.pem', c.caCert, 0o644);
    folder.file('exim.conf', conf(folder, c));
    let maildir: string | undefined;
    if (!c.next) {
      folder.dir('mailbox', 0o700, ex);
      maildir = folder.at('mailbox/maildir');
    }
    const hosts: Array<[string, string]> = c.next && c.hop.outbound.tls === 'verify' ? [[c.next.host, verifiedName(c)]] : [];
    return { command: [c.paths.exim.exim, '-C', folder.at('exim.conf'), '-bdf', '-q1s'], syslog: true, maildir, hosts };
  },
  logReader: (idOf) => new EximLogReader(idOf),
};
