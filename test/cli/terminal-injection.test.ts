/**
 * A gateway under test must not be able to write to the user's terminal. An `engine: external` hop on
 * loopback answers with ECMA-48 / xterm control sequences in its replies (retitle the window, clear the
 * screen, an 8-bit C1 CSI); `run` (text and JSON), `explain` and `up` print its replies, and `validate`
 * quotes a YAML key with the same bytes. What reaches the terminal carries no control character but the
 * line break, and shows the sequences as visible `\xHH` escapes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/engines/free-address.js';

/** Window title, clear screen, and a C1 CSI (U+009B) setting red: what a hostile reply carries. */
const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\x9b31m';
const SHOWN = '\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m';
/** The same in JSON text (RFC 8259 §7 escapes). */
const IN_JSON = '\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m';
/** Any control character but the line break. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

/** An SMTP server that speaks just enough (RFC 5321 §4.3.2) to defer every message with a hostile 451. */
async function hostileGateway(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    socket.write(`220 gw.hostile.test ESMTP ${HOSTILE}\r\n`);
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const verb = buffered.slice(0, end).split(' ')[0].toUpperCase();
        buffered = buffered.slice(end + 2);
        if (verb === 'EHLO') socket.write(`250-gw.hostile.test ${HOSTILE}\r\n250 8BITMIME\r\n`);
        else if (verb === 'HELO' || verb === 'RSET' || verb === 'NOOP') socket.write('250 2.0.0 OK\r\n');
        else if (verb === 'MAIL') socket.write(`451 4.3.0 ${HOSTILE} try again later\r\n`);
        else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write(`502 5.5.1 ${HOSTILE}\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

let gateway: Awaited<ReturnType<typeof hostileGateway>>;
let dir: string;
const children: ReturnType<typeof spawn>[] = [];
beforeAll(async () => {
  gateway = await hostileGateway();
  dir = mkdtempSync(path.join(tmpdir(), 'mailhop-injection-'));
});
afterAll(async () => {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function scenarioFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The CLI from source as its own process; `waitFor` resolves once stdout matches. */
function mailhop(...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mailhop-dev.ts', ...args], {
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
  const waitFor = (re: RegExp) => new Promise<void>((resolve, reject) => {
    const check = () => re.test(text.stdout) && (resolve(), true);
    if (check()) return;
    waiters.push(check);
    void exited.then(() => reject(new Error(`mailhop exited before printing ${re}:\n${text.stdout}\n${text.stderr}`)));
  });
  return { child, text, exited, waitFor };
}

describe('a hostile gateway\'s replies on the terminal', () => {
  it('mailhop run, run --json and explain: the reply shown escaped, no control character printed', async () => {
    for (const command of [['run'], ['run', '--json'], ['explain']]) {
      // A port found free just before each run: one kept across three processes could be taken by another test meanwhile.
      const file = await scenarioFile('first-hop.yaml', `name: hostile-first-hop
hops:
  - { id: gw, engine: external, host: 127.0.0.1, port: ${gateway.port} }
  - { id: mx, port: ${await freePort('127.0.0.1')} }
messages:
  - { from: alice@org.test, to: [bob@partner.test] }
runFor: 10m
`);
      const args = [...command, file];
      const cli = mailhop(...args);
      const [code] = await cli.exited;
      const output = cli.text.stdout + cli.text.stderr;
      expect({ args, code, raw: RAW_CONTROL.exec(output)?.[0] }).toEqual({ args, code: 0, raw: undefined });
      expect(output).toContain(`451 4.3.0 ${args[1] === '--json' ? IN_JSON : SHOWN} try again later`);
    }
  }, 60_000);

  it('mailhop up: the live deferral line shows the reply escaped', async () => {
    const file = await scenarioFile('middle-hop.yaml', `name: hostile-middle-hop
hops:
  - id: relay
  - { id: gw, engine: external, host: 127.0.0.1, port: ${gateway.port} }
  - { id: mx, port: ${await freePort('127.0.0.1')} }
messages:
  - { from: alice@org.test, to: [bob@partner.test] }
`);
    const cli = mailhop('up', file);
    await cli.waitFor(/Ctrl-C stops the chain\.\n/);
    const [, host, port] = /hop relay\s+send to (127\.[\d.]+):(\d+)/.exec(cli.text.stdout)!;
    const transport = nodemailer.createTransport({ host, port: Number(port), secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'alice@org.test', to: ['bob@partner.test'] }, raw: 'Subject: by hand\r\n\r\nhello\r\n' });
    await cli.waitFor(/m1 deferred at relay \(attempt 1\): .*\n/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual([0, null]);
    expect(cli.text.stdout).toContain(`m1 deferred at relay (attempt 1): 451 4.3.0 ${SHOWN} try again later;`);
    expect(RAW_CONTROL.exec(cli.text.stdout + cli.text.stderr)?.[0]).toBeUndefined();
  }, 60_000);

  it('mailhop validate: a YAML key with the same bytes is quoted escaped', async () => {
    const file = await scenarioFile('key.yaml', `name: hostile-key
hops: [{ id: mx }]
messages: [{ from: a@b.test, to: [c@d.test] }]
"\\e]0;pwned\\a\\e[2J\\x9b31m": 1
`);
    const cli = mailhop('validate', file);
    expect(await cli.exited).toEqual([2, null]);
    expect(cli.text.stderr).toBe(`${file}:4:1: unknown key "${SHOWN}" (allowed: $schema, name, description, submit, hops, messages, expect, links, runFor, dns)\n`);
  }, 30_000);
});
