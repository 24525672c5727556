/**
 * Killing the CLI outright: `mailhop up` with a real engine hop, then SIGKILL, which no handler of
 * mailhop sees. The engine's daemons fork away from the process the kernel would signal on its
 * parent's death (and Postfix's master even loses that signal when it switches uid), so only the
 * engine's reaper can clean up. Judged from the kernel (/proc): no live process is left in the
 * engine's mount namespace or process group, nor of the CLI's process tree (the reaper included),
 * and the engine's run folder is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { availability } from '../support/engine.js';
import { alive, processTree, type ProcessId } from '../support/proc.js';
import { REAL_ENGINES, type RealEngineName } from '../../harness/scenario/hop-kind.js';

/** OpenSMTPD cannot offer STARTTLS here (docs/engines.md#opensmtpd), so its hop offers none. */
const SCENARIO = (engine: RealEngineName) => `name: killed-outright
hops:
  - id: relay
  - id: mta
    engine: ${engine}
${engine === 'opensmtpd' ? '    inbound: { starttls: none }\n' : ''}  - id: mx
messages:
  - { from: alice@org.test, to: [bob@partner.test] }
`;

/** What the engine of hop `mta` occupies while it runs. */
interface EngineFootprint {
  /** Its mount namespace id, e.g. `mnt:[4026532841]`, and an fd holding it (so the id is not reused while we look). */
  namespace: string;
  namespaceFd: number;
  /** Its process group id (the pid of its first process). */
  group: number;
  folder: string;
}

const children: ChildProcess[] = [];
const folders: string[] = [];
const engines: EngineFootprint[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // A failed test must not leave daemons behind either.
  for (const e of engines.splice(0)) {
    for (const p of live(e)) kill(p.pid);
    closeSync(e.namespaceFd);
    rmSync(e.folder, { recursive: true, force: true });
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** `state`, `ppid` and process group of a process, from /proc/<pid>/stat; null once it is gone. */
function stat(pid: number): { state: string; ppid: number; group: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]), group: Number(f[2]) };
  } catch {
    return null;
  }
}

function mountNamespace(pid: number | 'self'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return '?';
  }
}

/** The engine the CLI `cli` started: its first process is the CLI's child in a mount namespace of its own. */
function engineOf(cli: number, engine: RealEngineName): EngineFootprint {
  const own = mountNamespace('self');
  const first = processTree(cli).find((p) => stat(p.pid)?.ppid === cli && ![own, null].includes(mountNamespace(p.pid)));
  if (!first) throw new Error(`no ${engine} process in a namespace of its own under mailhop (${cli})`);
  const namespaceFd = openSync(`/proc/${first.pid}/ns/mnt`, 'r');
  // Its /etc/hosts is a bind mount of `<run folder>/ns/hosts` (mountinfo field 4: the source within its file system).
  const mountinfo = readFileSync(`/proc/${first.pid}/mountinfo`, 'latin1');
  const hosts = mountinfo.split('\n').map((l) => l.split(' ')).find((f) => f[4] === '/etc/hosts')?.[3] ?? '';
  const name = path.basename(path.dirname(path.dirname(hosts)));
  if (!name.startsWith(`mailhop-${engine}-mta-`)) {
    closeSync(namespaceFd);
    throw new Error(`no run folder in the mounts of ${comm(first.pid)} (${first.pid}):\n${mountinfo}`);
  }
  const footprint = { namespace: mountNamespace(first.pid)!, namespaceFd, group: first.pid, folder: path.join(tmpdir(), name) };
  engines.push(footprint);
  return footprint;
}

/** Every live (not zombie) process in the engine's namespace or process group. */
function live(e: EngineFootprint): Array<{ pid: number; name: string }> {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const s = stat(pid);
      return s !== null && s.state !== 'Z' && s.state !== 'X' && (s.group === e.group || mountNamespace(pid) === e.namespace);
    })
    .map((pid) => ({ pid, name: comm(pid) }));
}

/** What is still there of the engine and of the CLI's process tree (as seen before the kill). */
function leftovers(e: EngineFootprint, tree: ProcessId[]): string[] {
  const processes = new Map(live(e).map((p) => [p.pid, p.name]));
  for (const p of tree.filter(alive)) processes.set(p.pid, p.name);
  return [...[...processes].map(([pid, name]) => `${name} (${pid})`), ...(existsSync(e.folder) ? [`run folder ${e.folder}`] : [])];
}

/** Polls `probe` every 20 ms until it returns nothing, for at most `limitMs`; returns its last answer (for the assertion to print). */
async function untilEmpty(probe: () => string[], limitMs: number): Promise<string[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const left = probe();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `mailhop up <file>` from source; resolves once the chain is up (every hop, the engine included, answered). */
async function mailhopUp(file: string): Promise<{ child: ChildProcess; exited: Promise<[number | null, NodeJS.Signals | null]> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mailhop-dev.ts', 'up', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  children.push(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('Ctrl-C stops the chain.\n')) resolve();
      });
    }
    void exited.then(([code, signal]) => reject(new Error(`mailhop up exited (${code ?? signal}) before the chain was up:\n${out}`)));
  });
  return { child, exited };
}

const ENGINES: readonly RealEngineName[] = REAL_ENGINES;

describe.each(ENGINES.map((engine) => ({ engine, ...availability(engine) })))('killing the CLI outright with a real $engine hop', ({ engine, usable, reason }) => {
  it.skipIf(!usable)(usable ? 'mailhop up, SIGKILL: the engine\'s namespace and process group empty, its run folder removed, nothing of the tree left running' : `skipped: ${reason}`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mailhop-sigkill-'));
    folders.push(dir);
    writeFileSync(path.join(dir, 'up.yaml'), SCENARIO(engine));
    const cli = await mailhopUp(path.join(dir, 'up.yaml'));
    const e = engineOf(cli.child.pid!, engine);
    const tree = processTree(cli.child.pid!);
    expect(live(e).length).toBeGreaterThan(0);
    expect(existsSync(e.folder)).toBe(true);

    cli.child.kill('SIGKILL');
    expect(await cli.exited).toEqual([null, 'SIGKILL']);

    // The reaper sees EOF on its stdin once the kernel has closed mailhop's files; it needs well under a second.
    expect(await untilEmpty(() => leftovers(e, tree), 10_000)).toEqual([]);
  }, 60_000);
});
