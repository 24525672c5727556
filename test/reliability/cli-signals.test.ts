/**
 * Interrupting the CLI as a person (Ctrl-C) or a supervisor (SIGTERM) does: `mailhop run` and
 * `mailhop up` spawned as their own processes, signalled mid-run. Judged from the kernel (/proc),
 * not from what mailhop says: every port the process tree listened on is closed, and no process of
 * the tree (a real MTA engine and its daemons included) is left running.
 *
 * `run` prints no addresses, so its listeners are read from /proc while it runs; `up` prints them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { availability } from '../support/engine.js';
import { alive, caughtSignals, LISTEN, processTree, refused, socketsOf, tcpSockets, waitUntil, type ProcessId, type TcpSocket } from '../support/proc.js';

/**
 * A scenario that stays mid-delivery for a minute: the next hop never answers the ClientHello and the sender waits
 * in real time (a link's `stall` fault would not do: a mock sender's wait behind it runs on the virtual clock).
 */
const STALLED = (name: string, middle: string) => `name: ${name}
hops:
  - id: relay
    outbound: { tls: opportunistic, timeout: 60s }
${middle}  - id: mx
    inbound: { starttls: break-handshake, how: stall }
messages:
  - { from: alice@org.test, to: [bob@partner.test] }
`;
const POSTFIX_HOP = '  - id: mta\n    engine: postfix\n';

const children: ChildProcess[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function scenarioFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mailhop-signals-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The CLI from source, with its output collected; `waitFor` resolves on the first match. */
function mailhop(...args: string[]) {
  return mailhopWith([], args);
}

/** As mailhop(), with modules to preload (`node --import`). */
function mailhopWith(preload: string[], args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload.flatMap((p) => ['--import', p]), 'test/support/mailhop-dev.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  children.push(child);
  const text = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
      text[stream] += chunk;
      for (const w of [...waiters]) w();
    });
  }
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    text,
    exited,
    waitFor: (re: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const m = text[stream].match(re);
          if (m) resolve(m);
          return Boolean(m);
        };
        if (check()) return;
        waiters.push(check);
        void exited.then(([code, signal]) => reject(new Error(`mailhop exited (${code ?? signal}) before printing ${re}\n${text.stdout}\n${text.stderr}`)));
      }),
  };
}

/** What must be gone once the CLI exited: its tree's listeners and processes. */
interface Footprint {
  listening: TcpSocket[];
  processes: ProcessId[];
}

function footprint(pid: number): Footprint {
  const processes = processTree(pid);
  return { processes, listening: socketsOf(processes.map((p) => p.pid), LISTEN) };
}

async function expectGone(before: Footprint): Promise<void> {
  expect(before.processes.filter(alive).map((p) => `${p.name} (${p.pid})`)).toEqual([]);
  const stillListening = tcpSockets().filter((s) => s.state === LISTEN && before.listening.some((b) => b.inode === s.inode));
  expect(stillListening).toEqual([]);
  const ipv4 = before.listening.filter((s) => s.family === 4);
  expect(await Promise.all(ipv4.map((s) => refused(s.address, s.port)))).toEqual(ipv4.map(() => true));
}

const postfix = availability('postfix');
const ENGINES = [
  { name: 'mock hops', middle: '', listeners: 4, engine: null as string | null, usable: true, reason: '' },
  { name: 'a real Postfix hop', middle: POSTFIX_HOP, listeners: 6, engine: 'master', usable: postfix.usable, reason: postfix.reason },
];

describe.each(ENGINES)('interrupting the CLI with $name', ({ name, middle, listeners, engine, usable, reason }) => {
  const skip = !usable;
  const title = (what: string) => (skip ? `${what} (skipped: ${reason})` : what);

  it.skipIf(skip).each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(title('mailhop run, %s mid-delivery: every chain stops, no more start, exit %i, nothing left listening or running'), async (signal, exitCode) => {
    const dir = scenarioFolder({ 'a-stalled.yaml': STALLED('a-stalled', middle), 'b-never-started.yaml': STALLED('b-never-started', middle) });
    const cli = mailhop('run', dir, '--concurrency', '1');
    const pid = cli.child.pid!;
    // Mid-delivery: every hop's server and proxy listen (Postfix's own smtpd too), and the chain is stuck on the stall.
    const before = await waitUntil(() => {
      const f = footprint(pid);
      return f.listening.length >= listeners && (!engine || f.processes.some((p) => p.name === engine)) && f;
    }, `${name}: ${listeners} listeners of mailhop run`);

    cli.child.kill(signal);
    const [code, killedBy] = await cli.exited;

    expect({ code, killedBy }).toEqual({ code: exitCode, killedBy: null });
    expect(cli.text.stderr).toContain(`${signal}: stopping the running chains…\nstopped: 0 of 2 scenarios finished; every chain stopped\n`);
    expect(cli.text.stdout).not.toContain('b-never-started');
    await expectGone(before);
  }, 240_000);

  it.skipIf(skip).each(['SIGINT', 'SIGTERM'] as const)(title('mailhop up, %s: exit 0, every printed port closed, nothing left running'), async (signal) => {
    const dir = scenarioFolder({ 'up.yaml': STALLED('up-by-hand', middle) });
    const cli = mailhop('up', path.join(dir, 'up.yaml'));
    await cli.waitFor(/Ctrl-C stops the chain\.\n/);
    const printed = [...cli.text.stdout.matchAll(/(127\.\d+\.\d+\.\d+):(\d+)/g)].map((m) => ({ host: m[1], port: Number(m[2]) }));
    expect(printed.length).toBeGreaterThanOrEqual(listeners);
    const before = footprint(cli.child.pid!);
    if (engine) expect(before.processes.map((p) => p.name)).toContain(engine);
    // Every printed address is one the tree listens on.
    expect(printed.filter((a) => !before.listening.some((s) => s.address === a.host && s.port === a.port))).toEqual([]);

    cli.child.kill(signal);
    expect(await cli.exited).toEqual([0, null]);
    expect(cli.text.stdout).toContain(`${signal}: stopping the chain…\nstopped:`);
    expect(await Promise.all(printed.map((a) => refused(a.host, a.port)))).toEqual(printed.map(() => true));
    await expectGone(before);
  }, 240_000);

  it.skipIf(skip).each([
    ['SIGTERM', 'SIGINT'],
    ['SIGINT', 'SIGTERM'],
  ] as const)(title('mailhop run, %s then %s while the event loop is busy (as judging a large report keeps it): the second ends the process at once'), async (first, second) => {
    const dir = scenarioFolder({ 'a-stalled.yaml': STALLED('a-stalled', middle) });
    const cli = mailhopWith(['./test/reliability/busy-after-stopping.ts'], ['run', dir]);
    const pid = cli.child.pid!;
    const before = await waitUntil(() => {
      const f = footprint(pid);
      return f.listening.length >= listeners && (!engine || f.processes.some((p) => p.name === engine)) && f;
    }, `${name}: ${listeners} listeners of mailhop run`);
    expect([...caughtSignals(pid)]).toEqual(expect.arrayContaining(['SIGINT', 'SIGTERM']));

    cli.child.kill(first);
    await cli.waitFor(/stopping the running chains…\n/, 'stderr');
    // The kernel takes both signals back once the first is handled: no JavaScript stands between the second and the exit.
    await waitUntil(() => !caughtSignals(pid).has('SIGINT') && !caughtSignals(pid).has('SIGTERM'), 'SIGINT and SIGTERM handed back to the kernel');
    cli.child.kill(second);

    expect(await cli.exited).toEqual([null, second]);
    expect(cli.text.stderr).not.toContain('stopped:');
    // What the second signal cut short is gone all the same: real engines by their reapers.
    await waitUntil(() => before.processes.every((p) => !alive(p)), 'the process tree to end');
    await expectGone(before);
  }, 240_000);
});
