/**
 * Engine run folders hold private keys and must not outlive mailhop: removed when a signal ends
 * the process even before their engine runs, and, after a SIGKILL (no code runs), removed by the
 * next mailhop process through their owner mark.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNER_FILE, RunFolder, sweepOrphanFolders } from '../../harness/engines/run-folder.js';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { bootId } from '../../harness/process-owner.js';
import { deadPid } from '../support/dead-pid.js';

describe('engine run folders', () => {
  it('carry an owner mark: this process and this boot', () => {
    const folder = RunFolder.create('mark-test');
    try {
      expect(readFileSync(folder.at(OWNER_FILE), 'utf8')).toBe(`${process.pid} ${bootId()}\n`);
    } finally {
      folder.remove();
    }
    expect(existsSync(folder.path)).toBe(false);
  });

  it('the sweep removes folders of dead owners and of another boot, and leaves running owners and unmarked folders alone', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sweep-test-'));
    try {
      const make = (name: string, mark?: string) => {
        const p = path.join(dir, name);
        mkdirSync(p);
        writeFileSync(path.join(p, 'key.pem'), 'secret');
        if (mark !== undefined) writeFileSync(path.join(p, OWNER_FILE), mark);
        return p;
      };
      const dead = make('mailhop-postfix-mx-aaaaaa', `${deadPid()} ${bootId()}\n`);
      const otherBoot = make('mailhop-exim-relay-bbbbbb', `${process.pid} 00000000-0000-0000-0000-000000000000\n`);
      const alive = make('mailhop-sendmail-gw-cccccc', `${process.pid} ${bootId()}\n`);
      const unmarked = make('mailhop-compose-dddddd');
      const notOurs = make('other-eeeeee', `${deadPid()} ${bootId()}\n`);

      expect(sweepOrphanFolders(dir).sort()).toEqual([dead, otherBoot].sort());
      expect([dead, otherBoot, alive, unmarked, notOurs].map((p) => existsSync(p))).toEqual([false, false, true, true, true]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM before the engine started: the folder is removed and the process still dies of the signal', async () => {
    const script = `
      import { RunFolder } from './harness/engines/run-folder.ts';
      const folder = RunFolder.create('signal-test');
      folder.file('certs/key.pem', 'secret', 0o600);
      console.log(folder.path);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const folder = line.toString().trim();
    expect(existsSync(path.join(folder, 'certs/key.pem'))).toBe(true);
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(folder)).toBe(false);
  }, 30_000);

  it('SIGKILL before the engine\'s reaper runs: the next chain start removes the folder and its key, a mock-only chain too', async () => {
    // The window the reaper cannot cover: the folder and its key exist, the engine (and its reaper) not yet.
    const script = `
      import { RunFolder } from './harness/engines/run-folder.ts';
      const folder = RunFolder.create('postfix-mx');
      folder.file('certs/key.pem', 'secret', 0o600);
      console.log(folder.path);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const folder = line.toString().trim();
    child.kill('SIGKILL');
    expect(await once(child, 'exit')).toEqual([null, 'SIGKILL']);
    expect(existsSync(path.join(folder, 'certs/key.pem'))).toBe(true);

    const mockOnly = Scenario.parse({ name: 'mock-only', hops: [{ id: 'mx' }], messages: [{ from: 'a@b.test', to: ['c@d.test'] }] });
    await using chain = await startChain(mockOnly);
    expect(existsSync(folder)).toBe(false);
    expect((await chain.run()).outcome).toBe('delivered');
  }, 30_000);
});
