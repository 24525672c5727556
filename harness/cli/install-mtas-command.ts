import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';
import { DEFAULT_MTA_ROOT } from '../engines/mta-paths.js';

/** What `install-mtas` looks at on the machine; tests pass fakes. */
export interface InstallMachine {
  /** Effective user id (0 for root). */
  uid: number;
  /** Contents of /etc/os-release, or undefined when it is missing. */
  osRelease: string | undefined;
  /** Runs the install script; resolves to its exit code. */
  run: (script: string) => Promise<number>;
  err: (text: string) => void;
  out: (text: string) => void;
}

/** The installer shipped with the package (also in a clone). */
export function installScript(): string | undefined {
  const root = packageRoot();
  const script = root && path.join(root.dir, 'scripts', 'install-real-mtas.sh');
  return script && existsSync(script) ? script : undefined;
}

/** Debian or a derivative (Ubuntu): `ID` or `ID_LIKE` in os-release names debian. */
export function isDebianLike(osRelease: string | undefined): boolean {
  if (!osRelease) return false;
  const field = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1] ?? '';
  return [field('ID'), ...field('ID_LIKE').split(/\s+/)].includes('debian');
}

const PLAN = (root: string) => [
  'mailhop install-mtas installs the real MTAs that `engine:` hops run:',
  '  - with apt-get: postfix (debconf "No configuration": no main.cf, nothing listens on port 25), openssl, m4,',
  '    util-linux, mount and the libraries the unpacked MTAs link against',
  `  - unpacked with dpkg -x (no maintainer script runs, nothing starts) under ${root}:`,
  '    sendmail-bin + sendmail-cf, exim4-daemon-light, opensmtpd (these packages conflict with each other',
  '    and with postfix, so only postfix is installed the normal way)',
  '  - the system user Debian-exim, and the setgid bit on OpenSMTPD\'s smtpctl',
  'It is idempotent; `mailhop doctor` tells afterwards what can run.',
];

/**
 * `mailhop install-mtas [--dry-run]`: says what it will install, then runs the shipped
 * scripts/install-real-mtas.sh. Refuses (exit 2, nothing installed) when not root or not on Debian or
 * Ubuntu. `--dry-run` only prints the plan. Exit: the script's code, 0 for a dry run.
 */
export async function installMtasCommand(opts: { dryRun?: boolean }, machine: InstallMachine = realMachine()): Promise<number> {
  const root = process.env.MAILHOP_MTA_ROOT || DEFAULT_MTA_ROOT;
  machine.out(`${PLAN(root).join('\n')}\n`);
  if (opts.dryRun) return 0;
  if (!isDebianLike(machine.osRelease)) {
    machine.err('mailhop install-mtas: refused: this is not Debian or Ubuntu (/etc/os-release names neither); install the MTAs another way, or run engines in containers (--runtime containers)\n');
    return 2;
  }
  if (machine.uid !== 0) {
    machine.err('mailhop install-mtas: refused: needs root (apt-get, dpkg, useradd); run it with sudo\n');
    return 2;
  }
  const script = installScript();
  if (!script) {
    machine.err('mailhop install-mtas: scripts/install-real-mtas.sh is missing from this mailhop package\n');
    return 2;
  }
  return machine.run(script);
}

function realMachine(): InstallMachine {
  return {
    uid: process.getuid?.() ?? -1,
    osRelease: existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : undefined,
    run: (script) =>
      new Promise((resolve) => {
        const child = spawn('bash', [script], { stdio: 'inherit' });
        child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? 15 : 0)));
        child.on('error', () => resolve(2));
      }),
    err: (t) => process.stderr.write(t),
    out: (t) => process.stdout.write(t),
  };
}
