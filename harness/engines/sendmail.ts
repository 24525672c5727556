/**
 * Sendmail as a hop (docs/engines.md#sendmail): the unpacked sendmail-bin, its sendmail.cf built with m4
 * from the unpacked sendmail-cf macros, `-bD -q1s` in the foreground (a queue run every second).
 * It only logs through syslog, which mailhop's socket receives. Its own hostname inside the
 * namespace saves the 60 s "unqualified host name" sleep.
 * - inbound `none`: the daemon option `M=S` (no STARTTLS offered).
 * - outbound: opportunistic is its default; `mandatory` = access map `TLS_Srv:<ip> ENCR:128`;
 *   `none` = `Try_TLS:<ip> NO`; `fallback: reconnect` = `confTLS_FALLBACK_TO_CLEAR` (plaintext
 *   reconnect after a failed handshake; without it Sendmail defers and never falls back, docs/behaviour.md#B-handshake-sendmail).
 *   A hop that gives no `fallback` parses to Sendmail's own `never` (schema.ts engineFallback), not
 *   the mock's `reconnect`, so it runs without the option, as a default Sendmail does: deliver.c
 *   reconnects without STARTTLS after a failed handshake (rcode EX_SOFTWARE) only
 *   `if (TLSFallbacktoClear || SM_TLSI_IS(..., TLSI_FL_FB2CLR))`, else `mci_setstat(... "454 4.7.0
 *   TLS handshake failed.")` and the message is queued. Observed with this configuration: the first
 *   attempt (forked from the receiving process, DeliveryMode=background) and every `-q1s` queue run
 *   log `STARTTLS=client, error: connect failed=-1, reason=unexpected eof while reading` and
 *   `stat=Deferred: 454 4.7.0 TLS handshake failed.`, never a plaintext connection.
 * - `verify`, `timeout`, `starttlsTimeout`, `tlsCiphers`: {@link accessMap}, {@link timeoutDefines}.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { seconds, verifiedName, type EngineDefinition, type EngineHopConfig, type EngineLaunch } from './engine-definition.js';
import type { RunFolder } from './run-folder.js';
import { SendmailLogReader } from './sendmail-log.js';
import { MailhopError } from '../errors.js';

const run = promisify(execFile);

/** The client's `Timeout.*` options (cf/README, "Timeouts"; proto.m4) that limit a connection or a reply. */
const REPLY_TIMEOUTS = ['confTO_ICONNECT', 'confTO_CONNECT', 'confTO_INITIAL', 'confTO_HELO', 'confTO_MAIL', 'confTO_RCPT', 'confTO_DATAINIT', 'confTO_DATABLOCK', 'confTO_DATAFINAL', 'confTO_RSET', 'confTO_QUIT', 'confTO_MISC'];

/**
 * The `Timeout.*` options for `outbound.timeout` (each reply and connecting; without it connecting keeps the 5 s
 * mailhop always sets) and `starttlsTimeout` (else `timeout`): `Timeout.starttls`, default 1h, the limit of the
 * TLS handshake. Sendmail uses the same options as a server, so its inbound side gets them too.
 */
function timeoutDefines(c: EngineHopConfig): Array<[string, string]> {
  const out = c.hop.outbound;
  const replies: Array<[string, string]> = out.timeout === undefined ? [['confTO_ICONNECT', '5s'], ['confTO_CONNECT', '5s']] : REPLY_TIMEOUTS.map((m) => [m, seconds(out.timeout!)]);
  const starttls = out.tls === 'none' ? undefined : (out.starttlsTimeout ?? out.timeout);
  return starttls === undefined ? replies : [...replies, ['confTO_STARTTLS', seconds(starttls)]];
}

/**
 * The access map (FEATURE(access_db), cf/README "STARTTLS"), keyed by the next hop's address:
 * - `mandatory`: `TLS_Srv:<ip> ENCR:128` (TLS with at least 128-bit encryption); `none`: `Try_TLS:<ip> NO`;
 * - `verify`: `TLS_Srv:<ip> VERIFY:128+CN:<name>`: the certificate verified against the run's CA (`{verify}` OK,
 *   confCACERT), at least 128-bit encryption, and the subject's common name equal to the next hop's name
 *   (`{cn_subject}`, rule set TLS_req in proto.m4). The CN, not the subjectAltName: FEATURE(check_cert_altnames)
 *   would add the altnames, but then a name that is not among them is compared with the relay's address, and the
 *   refusal reads `CN wrong-host.mailhop.invalid does not match [127.0.0.1]` (observed with Sendmail 8.17.1.9).
 *   mailhop's certificates carry the same name in both, a `wrong-host` one the same wrong name;
 * - `tlsCiphers`: `TLS_Clt_Features:<ip> "CipherList=<string>;"` (FEATURE(tls_session_features)): the cipher list
 *   of this client connection only, so its own server side keeps its list.
 */
function accessMap(c: EngineHopConfig): string {
  const { tls, tlsCiphers } = c.hop.outbound as { tls: string; tlsCiphers?: string };
  const ip = c.next!.host;
  const lines = [];
  if (tls === 'mandatory') lines.push(`TLS_Srv:${ip}\tENCR:128`);
  if (tls === 'verify') lines.push(`TLS_Srv:${ip}\tVERIFY:128+CN:${verifiedName(c)}`);
  if (tls === 'none') lines.push(`Try_TLS:${ip}\tNO`);
  if (tls !== 'none' && tlsCiphers) lines.push(`TLS_Clt_Features:${ip}\t"CipherList=${tlsCiphers};"`);
  return lines.map((l) => `${l}\n`).join('');
}

function mc(folder: RunFolder, c: EngineHopConfig): string {
  const next = c.next!;
  const certs = folder.at('certs');
  const out = c.hop.outbound;
  const define = (name: string, value: string) => `define(\`${name}', \`${value}')dnl`;
  const daemon = `Port=${c.listen.port}, Addr=${c.listen.host}, Name=MTA${c.hop.inbound.starttls === 'none' ? ', M=S' : ''}`;
  return [
    `include(\`${c.paths.sendmail.cfM4}')dnl`,
    "VERSIONID(`mailhop hop')dnl",
    "OSTYPE(`linux')dnl",
    define('confDOMAIN_NAME', c.hostname),
    define('QUEUE_DIR', folder.at('mqueue')),
    define('confPID_FILE', folder.at('sendmail.pid')),
    define('STATUS_FILE', folder.at('statistics')),
    define('ALIAS_FILE', folder.at('aliases')),
    define('HELP_FILE', c.paths.sendmail.helpFile),
    define('confCW_FILE', `-o ${folder.at('local-host-names')}`),
    define('confCT_FILE', `-o ${folder.at('trusted-users')}`),
    define('confSERVICE_SWITCH_FILE', folder.at('service.switch')),
    define('confDONT_PROBE_INTERFACES', 'True'),
    define('confMIN_QUEUE_AGE', '0'),
    // The run folder lives under the sticky /tmp: without this STARTTLS is silently not offered (docs/engines.md#pitfalls).
    define('confDONT_BLAME_SENDMAIL', 'TrustStickyBit'),
    define('confQUEUE_LA', '100'),
    define('confREFUSE_LA', '200'),
    ...timeoutDefines(c).map(([name, value]) => define(name, value)),
    // 14: STARTTLS=client/server results and "SMTP outgoing connect" lines, which tie TLS to deliveries.
    define('confLOG_LEVEL', '14'),
    define('SMART_HOST', `relay:[${next.host}]`),
    define('RELAY_MAILER_ARGS', `TCP $h ${next.port}`),
    define('ESMTP_MAILER_ARGS', `TCP $h ${next.port}`),
    define('confCACERT_PATH', certs),
    define('confCACERT', `${certs}/ca.pem`),
    define('confSERVER_CERT', `${certs}/cert.pem`),
    define('confSERVER_KEY', `${certs}/key.pem`),
    define('confCLIENT_CERT', `${certs}/cert.pem`),
    define('confCLIENT_KEY', `${certs}/key.pem`),
    ...(out.tls === 'opportunistic' && out.fallback === 'reconnect' ? [define('confTLS_FALLBACK_TO_CLEAR', 'true')] : []),
    `FEATURE(\`access_db', \`hash -T<TMPF> -o ${folder.at('access')}')dnl`,
    ...('tlsCiphers' in out && out.tlsCiphers ? ["FEATURE(`tls_session_features')dnl"] : []),
    "FEATURE(`no_default_msa')dnl",
    "FEATURE(`promiscuous_relay')dnl",
    "FEATURE(`accept_unresolvable_domains')dnl",
    "FEATURE(`accept_unqualified_senders')dnl",
    "FEATURE(`nocanonify')dnl",
    `DAEMON_OPTIONS(\`${daemon}')dnl`,
    "MAILER(`local')dnl",
    "MAILER(`smtp')dnl",
    '',
  ].join('\n');
}

export const sendmail: EngineDefinition = {
  name: 'sendmail',
  requires: { users: [], binaries: (p) => [p.sendmail.sendmail, p.sendmail.makemap, p.sendmail.cfM4, p.tools.m4] },
  settleAfterDeferrals: 2,
  async prepare(folder, c): Promise<EngineLaunch> {
    // scenario/engine-hop.ts (ENGINE_SUPPORT) refuses sendmail as the last hop when the scenario loads.
    if (!c.next) throw MailhopError.of('EINTERNAL', { where: `hop ${c.hop.id} (sendmail)`, what: 'be the final mailbox', why: 'a validated scenario has a hop after it', hop: c.hop.id });
    folder.file('certs/key.pem', c.keyCert.key, 0o600);
    folder.file('certs/cert.pem', c.keyCert.cert);
    folder.file('certs/ca.pem', c.caCert);
    folder.dir('mqueue', 0o700);
    for (const f of ['local-host-names', 'trusted-users', 'aliases']) folder.file(f, '');
    folder.file('service.switch', 'hosts files\naliases files\n');
    folder.file('access', accessMap(c));
    folder.file('sendmail.mc', mc(folder, c));
    const cf = await run(c.paths.tools.m4, [folder.at('sendmail.mc')], { maxBuffer: 4 << 20 });
    folder.file('sendmail.cf', cf.stdout);
    // makemap reads the map's text on stdin.
    await run('/bin/sh', ['-c', '"$0" -C "$1" hash "$2" < "$2"', c.paths.sendmail.makemap, folder.at('sendmail.cf'), folder.at('access')]);
    return { command: [c.paths.sendmail.sendmail, '-C', folder.at('sendmail.cf'), '-bD', '-q1s'], syslog: true };
  },
  logReader: (idOf) => new SendmailLogReader(idOf),
};
