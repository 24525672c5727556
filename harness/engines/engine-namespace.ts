/**
 * The private world an engine runs in (unshare(1): `-m` a mount namespace, `-u` a UTS namespace for the
 * hostname; mount(8) `--bind`; how mailhop sets it up: docs/engines.md#namespaces): `unshare -m -u` gives it its
 * own hostname (`<id>.mailhop.test`: Sendmail otherwise sleeps 60 s on an unqualified name) and
 * its own view of /etc/hosts, /etc/resolv.conf and /etc/nsswitch.conf, so every name it looks up is
 * answered from files in its run folder and no DNS query leaves the machine. With `syslog`, /dev is
 * replaced by a small copy whose `log` is mailhop's syslog socket (Sendmail only logs to syslog).
 * The host's files are never changed: the bind mounts exist only inside the namespace.
 */
import { symlinkSync } from 'node:fs';
import type { RunFolder } from './run-folder.js';
import type { MtaPaths } from './mta-paths.js';

export interface NamespaceSpec {
  hostname: string;
  /** The engine's own listening address, named `hostname` in its hosts file. */
  address: string;
  /** More names for its hosts file: [address, name]. */
  hosts?: Array<[string, string]>;
  /** More files to show at fixed paths inside: [file in the run folder, path inside]. */
  binds?: Array<[string, string]>;
  /** Replace /dev so that /dev/log is `<folder>/ns/dev/log` (see SyslogSink). */
  syslog: boolean;
  /**
   * The resolv.conf it sees, for an engine that asks the run's DNS server (engine-dns.ts); absent: a resolver on
   * loopback where nothing answers.
   */
  resolvConf?: string;
  /**
   * Host names from its hosts file, then from the run's DNS (nsswitch `hosts: files dns`), for a program that reaches
   * names through getaddrinfo(3) and must find them in the run's zones (the MTA-STS policy resolver's HTTPS fetch,
   * mta-sts-daemon.ts); absent: from its hosts file only.
   */
  hostsFromDns?: boolean;
  /** The run-folder directory for these files (default `ns`): a second process beside the engine has its own. */
  dir?: string;
  /** The program to run, exec'd as the namespace's first process. */
  command: string[];
}

const DEVICES = ['null', 'zero', 'random', 'urandom'];

/** Path of the syslog socket the engine sees as /dev/log. */
export function syslogSocketPath(folder: RunFolder): string {
  return folder.at('ns/dev/log');
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes the namespace's files into the run folder and returns the argv that starts the engine in it. */
export function namespaceCommand(folder: RunFolder, spec: NamespaceSpec, paths: MtaPaths): string[] {
  const more = (spec.hosts ?? []).map(([address, name]) => `${address} ${name}\n`).join('');
  const dir = spec.dir ?? 'ns';
  const hosts = folder.file(`${dir}/hosts`, `127.0.0.1 localhost\n${spec.address} ${spec.hostname} ${spec.hostname.split('.')[0]}\n${more}`);
  // A resolver on loopback where nothing answers: a lookup that slips past nsswitch fails at once, on this machine.
  // `lookup file` is for OpenSMTPD's libasr, which reads resolv.conf itself and would ask DNS before /etc/hosts.
  const resolv = folder.file(`${dir}/resolv.conf`, spec.resolvConf ?? 'lookup file\nnameserver 127.0.0.1\noptions attempts:1 timeout:1\n');
  const nsswitch = folder.file(`${dir}/nsswitch.conf`, `passwd: files\ngroup: files\nshadow: files\nhosts: files${spec.hostsFromDns ? ' dns' : ''}\nnetworks: files\nservices: files\nprotocols: files\naliases: files\n`);
  const binds: Array<[string, string]> = [[hosts, '/etc/hosts'], [resolv, '/etc/resolv.conf'], [nsswitch, '/etc/nsswitch.conf'], ...(spec.binds ?? [])];
  const lines = ['set -e'];
  // A target the host lacks cannot be mounted over; without it the engine falls back to the files above anyway.
  for (const [source, target] of binds) lines.push(`if [ -e ${quote(target)} ]; then mount --bind ${quote(source)} ${quote(target)}; fi`);
  if (spec.syslog) {
    folder.dir('ns/dev');
    for (const d of DEVICES) {
      folder.file(`ns/dev/${d}`, '');
      lines.push(`mount --bind /dev/${d} ${quote(folder.at('ns/dev', d))}`);
    }
    symlinkSync('/proc/self/fd', folder.at('ns/dev/fd'));
    lines.push(`mount --rbind ${quote(folder.at('ns/dev'))} /dev`);
  }
  lines.push(`${quote(paths.tools.hostname)} ${quote(spec.hostname)}`, 'exec "$@"');
  return [paths.tools.setpriv, '--pdeathsig', 'KILL', paths.tools.unshare, '--mount', '--uts', '--', '/bin/sh', '-c', lines.join('\n'), 'sh', ...spec.command];
}
