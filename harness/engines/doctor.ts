/**
 * Which engines can run on this machine, and why not: the logic of `mailhop doctor`, also used by
 * tests to skip (with the reason) what cannot run here. Cheap checks only (a few ms each, one
 * `unshare` probe): files, users, libraries, root, namespaces. Nothing is started or changed.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REAL_ENGINES, type RealEngineName } from '../scenario/hop-kind.js';
import { ENGINES } from './engines.js';
import { mtaPaths, type MtaPaths } from './mta-paths.js';
import { groupId, userIds } from './system-users.js';
import { ENGINE_DNS_WORDS } from './engine-dns.js';

/** The verdict on one engine. */
export interface EngineDiagnosis {
  engine: RealEngineName | 'external';
  usable: boolean;
  /** Why it cannot run (empty when usable), each with what to do. */
  reasons: string[];
  /** What was found, e.g. `Postfix 3.7.11`. */
  found?: string;
  /** What DNS the engine sees as a hop: the run's DNS server through a private resolv.conf, or only its hosts file (engine-dns.ts). */
  dns?: string;
}

const INSTALL = 'run `mailhop install-mtas` as root';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Problems every engine shares: Linux, root, and private namespaces that work here. */
function commonProblems(paths: MtaPaths): string[] {
  if (process.platform !== 'linux') return [`needs Linux (namespaces), this is ${process.platform}`];
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('needs root: the engines run in their own mount/UTS namespaces and switch to their own users');
  for (const [name, file] of Object.entries(paths.tools)) {
    if (name !== 'm4' && !executable(file)) problems.push(`${file} missing (${name}; util-linux / hostname packages)`);
  }
  if (problems.length === 0) {
    const probe = spawnSync(paths.tools.unshare, ['--mount', '--uts', '--', '/bin/true'], { encoding: 'utf8', timeout: 5000 });
    if (probe.status !== 0) problems.push(`unshare unavailable: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}`);
  }
  return problems;
}

function missingLibraries(binary: string): string | undefined {
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8', timeout: 5000 });
  const missing = (ldd.stdout ?? '').split('\n').filter((l) => l.includes('not found')).map((l) => l.trim().split(' ')[0]);
  return missing.length ? `${binary} lacks libraries: ${missing.join(', ')} (${INSTALL})` : undefined;
}

function postfixVersion(paths: MtaPaths): string | undefined {
  const r = spawnSync(paths.postfix.postconf, ['-d', '-h', 'mail_version'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? `Postfix ${r.stdout.trim()}` : undefined;
}

/** `exim 4.96-15+deb12u7`: the .deb version the install script unpacked (its stamp file). */
function unpackedVersion(paths: MtaPaths, engine: RealEngineName): string | undefined {
  try {
    const version = readFileSync(path.join(paths.root, engine, '.mailhop-stamp'), 'utf8').trim().split(/\s+/)[0];
    return `${engine} ${version} (${paths.root}/${engine})`;
  } catch {
    return undefined;
  }
}

/** Diagnoses every engine (real ones and `external`). */
export function diagnoseEngines(paths: MtaPaths = mtaPaths()): EngineDiagnosis[] {
  const common = commonProblems(paths);
  const real = REAL_ENGINES.map((engine): EngineDiagnosis => {
    const def = ENGINES[engine];
    const reasons = [...common];
    const binaries = def.requires.binaries(paths);
    const absent = binaries.filter((b) => !existsSync(b));
    for (const b of absent) reasons.push(`${b} missing (${INSTALL})`);
    for (const user of def.requires.users) if (!userIds(user)) reasons.push(`user ${user} missing (${INSTALL})`);
    if (engine === 'postfix' && groupId('postdrop') === undefined) reasons.push(`group postdrop missing (${INSTALL})`);
    if (absent.length === 0) {
      const lib = missingLibraries(binaries[0]);
      if (lib) reasons.push(lib);
    }
    const found = absent.length > 0 ? undefined : engine === 'postfix' ? postfixVersion(paths) : unpackedVersion(paths, engine);
    return { engine, usable: reasons.length === 0, reasons, ...(found ? { found } : {}), dns: ENGINE_DNS_WORDS[engine] };
  });
  return [
    ...real,
    { engine: 'external', usable: true, reasons: [], found: 'nothing to install: mailhop relays to it and listens for it (loopback only, unless --allow-external on run or up, or startChain with allowExternal: true)' },
  ];
}

/** The diagnosis of one engine: `usable`, and a one-line reason when it is not. */
export function engineAvailability(engine: RealEngineName, diagnoses = diagnoseEngines()): { usable: boolean; reason: string } {
  const d = diagnoses.find((x) => x.engine === engine)!;
  return { usable: d.usable, reason: d.reasons.join('; ') };
}
