/**
 * OpenSMTPD as a hop (docs/engines.md#opensmtpd): the unpacked opensmtpd, `smtpd -d -v` in the foreground,
 * logging to stderr. Its paths are compiled in (/var/spool/smtpd, /run, /var/lib/opensmtpd/empty,
 * users opensmtpd/opensmtpq), so its namespace binds those from the run folder, with passwd and
 * group copies that add the two users only there. Inbound is plaintext only: Debian 12's 6.8.0p2
 * fails every inbound TLS handshake with OpenSSL 3 (OpenSMTPD#1171), so scenario/engine-hop.ts allows
 * nothing but `inbound.starttls: none`.
 * - outbound: `relay host smtp://` (opportunistic; a failed handshake downgrades to a new plaintext
 *   connection at once), `smtp+tls:// ... tls no-verify` (mandatory), `smtp+notls://` (none); `verify` and
 *   `tlsCiphers`: {@link relayAction}. It has no setting for its client's timeouts (scenario/engine-hop.ts refuses them).
 */
import { readFileSync } from 'node:fs';
import { verifiedName, type EngineDefinition, type EngineHopConfig, type EngineLaunch } from './engine-definition.js';
import type { RunFolder } from './run-folder.js';
import { OpensmtpdLogReader } from './opensmtpd-log.js';
import { MailhopError } from '../errors.js';

/** The ids the package's postinst would give its users; they exist only inside the namespace. */
const USERS = ['opensmtpd:x:60901:60901:OpenSMTPD Daemon:/var/lib/opensmtpd/empty:/usr/sbin/nologin', 'opensmtpq:x:60902:60902:OpenSMTPD queue user:/var/lib/opensmtpd/empty:/usr/sbin/nologin'];
const GROUPS = ['opensmtpd:x:60901:', 'opensmtpq:x:60902:'];

function withLines(file: string, lines: string[]): string {
  const text = readFileSync(file, 'utf8');
  const names = new Set(text.split('\n').map((l) => l.split(':')[0]));
  const added = lines.filter((l) => !names.has(l.split(':')[0]));
  return `${text.replace(/\n?$/, '\n')}${added.map((l) => `${l}\n`).join('')}`;
}

/** The name of the `ca` entry that holds the run's CA (smtpd.conf(5) `ca caname cert cafile`). */
const RUN_CA = 'mailhop-run-ca';
/**
 * Where the run's CA is, inside the namespace: its lookup process reads the file when it verifies a certificate, as
 * user opensmtpd, who cannot enter the run folder (0700, root's), so it lies under the folder's world-readable
 * `ns/varlib`, mounted on /var/lib (observed with 6.8.0p2: "unable to load CA file ...: Permission denied" otherwise).
 */
const CA_INSIDE = ['ns/varlib/opensmtpd/mailhop-ca.pem', '/var/lib/opensmtpd/mailhop-ca.pem'] as const;

/**
 * The relay action, and the global lines it needs (smtpd.conf(5); parse.y and mta_session.c of 6.8.0p2):
 * - `verify`: `smtp+tls://<name>:<port>` (mandatory STARTTLS, the certificate verified: `no-verify` is absent)
 *   with `ca` = the run's CA. The relay host is the next hop's name, from the hosts file mailhop writes into the
 *   namespace, because OpenSMTPD matches the certificate against the name it connected to (`ssl_check_name` on
 *   the MX name), which for an address literal is the address. The relay action's `ca` option is in 6.8's
 *   grammar (parse.y), though smtpd.conf(5) of 6.8 lists it for listeners only.
 * - `tlsCiphers`: the global `smtp ciphers` (SSL_CTX_set_cipher_list, default `HIGH:!aNULL:!MD5`), which its
 *   client uses; its server side has no TLS here (inbound `none` only).
 */
function relayAction(c: EngineHopConfig): { global: string[]; relay: string } {
  const next = c.next!;
  const out = c.hop.outbound;
  const global = out.tls !== 'none' && out.tlsCiphers ? [`smtp ciphers "${out.tlsCiphers}"`] : [];
  if (out.tls === 'verify') {
    global.push(`ca ${RUN_CA} cert "${CA_INSIDE[1]}"`);
    return { global, relay: `relay host smtp+tls://${verifiedName(c)}:${next.port} ca ${RUN_CA}` };
  }
  const relay = {
    none: `relay host smtp+notls://${next.host}:${next.port}`,
    opportunistic: `relay host smtp://${next.host}:${next.port}`,
    mandatory: `relay host smtp+tls://${next.host}:${next.port} tls no-verify`,
  }[out.tls];
  return { global, relay };
}

function conf(folder: RunFolder, c: EngineHopConfig): string {
  const { global, relay } = relayAction(c);
  return [
    ...global,
    `pki ${c.hostname} cert "${folder.at('certs/cert.pem')}"`,
    `pki ${c.hostname} key "${folder.at('certs/key.pem')}"`,
    `listen on ${c.listen.host} port ${c.listen.port} hostname ${c.hostname}`,
    `action "relay" ${relay} helo ${c.hostname}`,
    'match from any for any action "relay"',
    '',
  ].join('\n');
}

export const opensmtpd: EngineDefinition = {
  name: 'opensmtpd',
  requires: { users: [], binaries: (p) => [p.opensmtpd.smtpd, p.tools.mount] },
  // It disables the route for 15 s after a failure: waiting for a second deferral would cost that much.
  settleAfterDeferrals: 1,
  async prepare(folder, c): Promise<EngineLaunch> {
    // scenario/engine-hop.ts (ENGINE_SUPPORT) refuses opensmtpd as the last hop when the scenario loads.
    if (!c.next) throw MailhopError.of('EINTERNAL', { where: `hop ${c.hop.id} (opensmtpd)`, what: 'be the final mailbox', why: 'a validated scenario has a hop after it', hop: c.hop.id });
    folder.file('certs/key.pem', c.keyCert.key, 0o600);
    folder.file('certs/cert.pem', c.keyCert.cert);
    for (const d of ['ns/spool', 'ns/run', 'ns/varlib', 'ns/varlib/opensmtpd', 'ns/varlib/opensmtpd/empty']) folder.dir(d, 0o755);
    folder.file(CA_INSIDE[0], c.caCert, 0o644);
    folder.file('ns/passwd', withLines('/etc/passwd', USERS));
    folder.file('ns/group', withLines('/etc/group', GROUPS));
    folder.file('ns/mailname', `${c.hostname}\n`);
    folder.file('smtpd.conf', conf(folder, c));
    const binds: Array<[string, string]> = [
      [folder.at('ns/spool'), '/var/spool'],
      [folder.at('ns/run'), '/run'],
      [folder.at('ns/varlib'), '/var/lib'],
      [folder.at('ns/passwd'), '/etc/passwd'],
      [folder.at('ns/group'), '/etc/group'],
      [folder.at('ns/mailname'), '/etc/mailname'],
    ];
    const hosts: Array<[string, string]> = c.hop.outbound.tls === 'verify' ? [[c.next.host, verifiedName(c)]] : [];
    return { command: [c.paths.opensmtpd.smtpd, '-d', '-v', '-f', folder.at('smtpd.conf')], binds, syslog: false, hosts };
  },
  logReader: () => new OpensmtpdLogReader(),
};
