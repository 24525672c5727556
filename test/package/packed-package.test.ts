import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { installMtasCommand, isDebianLike, type InstallMachine } from '../../harness/cli/install-mtas-command.js';

interface PackedFile {
  path: string;
}

// What `npm pack` would put in the tarball (dist/ as `npm ci` built it through `prepare`).
const packed = (): string[] => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ files: PackedFile[] }>)[0].files.map((f) => f.path);
};

describe('the npm package', () => {
  test('ships what its messages tell users to run, and no TypeScript source beside declarations', () => {
    const files = packed();
    expect(files).toContain('scripts/install-real-mtas.sh');
    // The catalogue and the pictures the README links to, and the licence the package declares.
    expect(files).toEqual(expect.arrayContaining(['docs/behaviour.md', 'docs/engines.md', 'docs/html-report.png', 'LICENSE']));
    expect(files).toContain('bin/mailhop.js');
    expect(files).toContain('dist/harness/vitest/index.js');
    // The presets are data files the package reads at run time, with the schema a user's own preset file names.
    expect(files).toEqual(expect.arrayContaining(['presets/postfix.yaml', 'presets/opensmtpd.yaml', 'presets/preset.schema.json']));
    // The TLS-RPT report schema `mailhop tlsrpt check` validates against (RFC 8460 §4.4).
    expect(files).toContain('schemas/tlsrpt.schema.json');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('source maps carry their sources, so stack frames in a user\'s vitest point at code that exists', async () => {
    const map = JSON.parse(await readFile('dist/harness/vitest/link-matcher.js.map', 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sources).toEqual(['../../../harness/vitest/link-matcher.ts']);
    expect(map.sourcesContent?.[0]).toBe(await readFile('harness/vitest/link-matcher.ts', 'utf8'));
  });

  test('testcontainers is an optional peer, not installed for every user', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8'));
    expect(pkg.dependencies.testcontainers).toBeUndefined();
    expect(pkg.optionalDependencies?.testcontainers).toBeUndefined();
    expect(pkg.peerDependencies.testcontainers).toBe('>=12.0.1');
    expect(pkg.peerDependenciesMeta.testcontainers).toEqual({ optional: true });
  });

  test('mailhop/bin resolves to the command, the same way in a clone as in a project that installed it', () => {
    const resolved = execFileSync('node', ['-p', "require.resolve('mailhop/bin')"], { encoding: 'utf8' }).trim();
    expect(resolved).toBe(`${process.cwd()}/bin/mailhop.js`);
    expect(execFileSync('node', [resolved, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('mailhop install-mtas', () => {
  const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
  const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
  const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

  function machine(over: Partial<InstallMachine>) {
    const out: string[] = [];
    const err: string[] = [];
    const ran: string[] = [];
    const m: InstallMachine = { uid: 0, osRelease: DEBIAN, run: async (s) => (ran.push(s), 0), out: (t) => out.push(t), err: (t) => err.push(t), ...over };
    return { m, out, err, ran };
  }

  test('tells what it installs, then runs the shipped script as root on Debian or Ubuntu', async () => {
    const { m, out, ran } = machine({});
    expect(await installMtasCommand({}, m)).toBe(0);
    expect(out.join('')).toMatch(/^mailhop install-mtas installs the real MTAs that `engine:` hops run:\n/);
    expect(out.join('')).toContain('sendmail-bin + sendmail-cf, exim4-daemon-light, opensmtpd');
    expect(ran).toEqual([`${process.cwd()}/scripts/install-real-mtas.sh`]);
    expect(isDebianLike(UBUNTU)).toBe(true);
  });

  test('refuses elsewhere, and without root, installing nothing; --dry-run only prints', async () => {
    const fedora = machine({ osRelease: FEDORA });
    expect(await installMtasCommand({}, fedora.m)).toBe(2);
    expect(fedora.err.join('')).toBe('mailhop install-mtas: refused: this is not Debian or Ubuntu (/etc/os-release names neither); install the MTAs another way, or run engines in containers (--runtime containers)\n');
    const user = machine({ uid: 1000 });
    expect(await installMtasCommand({}, user.m)).toBe(2);
    expect(user.err.join('')).toBe('mailhop install-mtas: refused: needs root (apt-get, dpkg, useradd); run it with sudo\n');
    const dry = machine({ uid: 1000, osRelease: undefined });
    expect(await installMtasCommand({ dryRun: true }, dry.m)).toBe(0);
    expect([...fedora.ran, ...user.ran, ...dry.ran]).toEqual([]);
    expect(dry.out.join('')).toContain('unpacked with dpkg -x');
  });
});
