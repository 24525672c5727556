/**
 * `mailhop up --web [address] --port-base <n>` as a person types it, spawned as its own process: the hops
 * listen on the fixed ports and the web view's API says so; SIGINT closes the web port with the chain's; a
 * non-loopback web address and a taken port are refused with exit 2 and a message naming them.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { freePortRun } from '../support/ports.js';

function up(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mailhop-dev.ts', 'up', 'scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const look = () => {
        const m = stdout.match(re);
        if (m) (child.stdout.off('data', look), resolve(m));
      };
      child.stdout.on('data', look);
      void exited.then(() => reject(new Error(`up exited before ${re}:\n${stdout}\n${stderr}`)));
      look();
    });
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('mailhop up --web --port-base', () => {
  test('the hops listen on base + i, the web view serves their addresses, and SIGINT closes every port', async () => {
    const base = await freePortRun(3);
    const run = up(['--web', '0', '--port-base', String(base)]);
    const [, url] = await run.waitFor(/^Web view: (http:\/\/127\.0\.0\.1:\d+\/) {2}\(read-only JSON: /m);
    expect(run.out()).toMatch(new RegExp(`^  hop sendmail  send to 127\\.0\\.0\\.1:${base} `, 'm'));
    expect(run.out()).toMatch(new RegExp(`^  hop mailbox   send to 127\\.0\\.0\\.1:${base + 2} `, 'm'));
    const links = (await (await fetch(`${url}api/links`)).json()) as { links: Array<{ link: string; sendTo: { port: number } }> };
    expect(links.links.map((l) => `${l.link} ${l.sendTo.port}`)).toEqual([`client->sendmail ${base}`, `sendmail->gateway ${base + 1}`, `gateway->mailbox ${base + 2}`]);
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual([0, null]);
    const webPort = Number(new URL(url).port);
    expect(await Promise.all([base, base + 1, base + 2, webPort].map(refused))).toEqual([true, true, true, true]);
  }, 30_000);

  test('a web address off loopback is refused before anything starts', async () => {
    const run = up(['--web', '0.0.0.0:8025']);
    expect(await run.exited).toEqual([2, null]);
    expect(run.err()).toBe("error: option '--web [address]' argument '0.0.0.0:8025' is invalid. --web 0.0.0.0:8025: cannot serve the web view on 0.0.0.0: it listens on 127.0.0.1 only (it shows messages and transcripts).\n");
    expect(run.out()).toBe('');
  }, 30_000);

  test('a taken "send to" port names the hop and the port, exit 2', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const run = up(['--port-base', String(taken)]);
      expect(await run.exited).toEqual([2, null]);
      expect(run.err()).toBe(`mailhop up: hop sendmail: cannot listen on 127.0.0.1:${taken}, its "send to" address (the link proxy of client->sendmail, from --port-base ${taken}): the port is in use (EADDRINUSE).\n`);
    } finally {
      blocker.close();
    }
  }, 30_000);
});
