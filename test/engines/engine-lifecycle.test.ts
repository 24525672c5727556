// A real engine lives in a 0700 run folder and its own namespaces, and leaves nothing behind: not when
// stopped, not when it fails to start, not when the process running it is interrupted.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { startEngine } from '../../harness/engines/start-engine.js';
import { userIds } from '../../harness/engines/system-users.js';
import { MailhopError } from '../../harness/errors.js';
import { availability, engineOptions, titled } from '../support/engine.js';

/** Running, not a zombie (an orphan's zombie may wait long for this machine's PID 1 to reap it). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};


describe.skipIf(!availability('postfix').usable)(titled('a real engine (postfix) starts, is private, and leaves nothing behind', 'postfix'), () => {
  it('runs from a 0700 folder, under its own hostname and hosts file, and stop() removes both', async () => {
    const engine = await startEngine(await engineOptions('lifecycle'));
    const folder = statSync(engine.folder);
    expect(folder.mode & 0o777).toBe(0o700);
    expect(folder.uid).toBe(userIds('postfix')!.uid);
    const inside = (...cmd: string[]) => execFileSync('nsenter', ['-t', String(engine.pid), '-m', '-u', '--', ...cmd], { encoding: 'utf8' });
    expect(inside('hostname').trim()).toBe('lifecycle.mailhop.test');
    expect(inside('cat', '/etc/hosts')).toBe(`127.0.0.1 localhost\n${engine.address.host} lifecycle.mailhop.test lifecycle\n`);
    expect(inside('cat', '/etc/nsswitch.conf')).toMatch(/^hosts: files$/m);
    expect(engine.address.host).toMatch(/^127\./);
    expect(engine.log().some((l) => /daemon started/.test(l))).toBe(true);

    await engine.stop();
    expect(existsSync(engine.folder)).toBe(false);
    expect(alive(engine.pid)).toBe(false);
  });

  it('fails to start on a taken port with an error naming the engine and hop, and cleans up', async () => {
    const blocker = net.createServer();
    const host = `127.88.250.${2 + Math.floor(Math.random() * 250)}`;
    await new Promise<void>((resolve) => blocker.listen(0, host, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('mailhop-postfix-taken-'));
    try {
      const err = await startEngine({ ...(await engineOptions('taken', 'postfix', { host, port })) }).then(
        (e) => e.stop().then(() => null),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MailhopError);
      expect((err as MailhopError).code).toBe('ESTART');
      expect((err as MailhopError).hop).toBe('taken');
      expect((err as MailhopError).message).toMatch(/^hop taken \(postfix\): cannot start postfix: /);
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith('mailhop-postfix-taken-'))).toEqual(before);
    } finally {
      blocker.close();
    }
  });

  it('is stopped and its folder removed when the process running it is interrupted (SIGINT)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/engines/fixtures/hold-engine.ts', 'postfix'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ pid: number; folder: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as { pid: number; folder: string });
      });
      child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    expect(alive(started.pid)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(existsSync(started.folder)).toBe(false);
    // SIGKILL was sent synchronously on the way out; the kernel finishes it within moments.
    for (let i = 0; i < 50 && alive(started.pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(started.pid)).toBe(false);
  });
});
