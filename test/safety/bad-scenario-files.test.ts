/**
 * Bad scenario files through the command line: malformed YAML, wrong types, unknown keys, duplicate
 * hop ids, links and expectations naming hops that do not exist, impossible combinations. The CLI
 * exits 2, lists every problem of every file at once as `file:line:column: path: message`, and
 * starts nothing: not even the good file beside a bad one (no partial start). Rules one by one are
 * tested in test/scenario/; this is the whole path, as a person meets it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.js';

const FILES: Record<string, string> = {
  'good.yaml': `name: good-one
hops:
  - id: relay
  - id: mx
messages:
  - { from: alice@org.test, to: [bob@partner.test] }
`,
  'bad.yaml': `name: bad-one
hopz: 1
hops:
  - id: relay
    inbound: { starttls: offer, cert: valid, greetingDelay: soon }
    outbound: { tls: mandatory, fallback: never }
  - id: relay
  - id: mx
    inbound: { starttls: fake-reply }
  - id: opensmtpd
    engine: opensmtpd
    inbound: { starttls: offer }
links:
  - { from: relay, to: nowhere, fault: strip-starttls }
  - { from: ghost, to: mx, fault: delay, ms: 10 }
messages:
  - { from: alice@org.test, to: bob@partner.test }
expect:
  links: { "relay->nowhere": tls }
runFor: true
`,
  'syntax.yaml': `name: broken-yaml
hops:
  - id: relay
   - id: mx
`,
};

const dir = mkdtempSync(path.join(tmpdir(), 'mailhop-bad-scenarios-'));
for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (file: string) => path.join(dir, file);

const BAD = [
  `${at('bad.yaml')}:2:1: unknown key "hopz" (allowed: $schema, name, description, submit, hops, messages, expect, links, runFor, dns)`,
  `${at('bad.yaml')}:5:61: hops[0].inbound.greetingDelay: must be a duration such as 300ms, 1s, 5m, 2h or 5d; got "soon"`,
  `${at('bad.yaml')}:6:33: hops[0].outbound: unknown key "fallback" (allowed: tls, retry, maxAge, timeout, replies, concurrencyLimit, reuse, connectionCache, reuseProbe, pipelining, route, dane, mtaSts, mtaStsCache, mtaStsCheck, daneRequiredMissing, requireTls, tlsCiphers, tlsMinVersion, tlsMaxVersion, starttlsTimeout, starttlsTrailingData, tlsResumption)`,
  `${at('bad.yaml')}:7:9: hops[1].id: duplicate hop id "relay" (first used by hops[0])`,
  `${at('bad.yaml')}:9:14: hops[2].inbound: missing required key "starttlsReply"`,
  `${at('bad.yaml')}:12:26: hops[3].inbound.starttls: engine opensmtpd cannot do inbound.starttls: offer (Debian 12's OpenSMTPD 6.8.0p2 fails every inbound TLS handshake with OpenSSL 3: "missing private key", OpenSMTPD#1171); it supports none`,
  `${at('bad.yaml')}:14:24: links[0].to: no such link "relay->nowhere"; the link from relay goes to relay`,
  `${at('bad.yaml')}:15:13: links[1].from: no hop "ghost"; a link starts at client or at one of relay, relay, mx, opensmtpd`,
  `${at('bad.yaml')}:17:33: messages[0].to: must be an array; got "bob@partner.test"`,
  `${at('bad.yaml')}:19:12: expect.links["relay->nowhere"]: no such link "relay->nowhere"; the links are client->relay, relay->relay, relay->mx, mx->opensmtpd`,
  `${at('bad.yaml')}:20:9: runFor: must be a number or a string; got true`,
];
const SYNTAX = [`${at('syntax.yaml')}:4:4: invalid YAML: All sequence items must start at the same column`];

describe('the mailhop command with bad scenario files', () => {
  it('run on a folder with one good and two bad files: exit 2, every problem of both bad files listed, nothing run', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mailhop-dev.ts', 'run', dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = await once(child, 'exit');
    expect(stderr.trimEnd().split('\n')).toEqual([...BAD, ...SYNTAX]);
    expect(stdout).toBe(''); // no verdict table: good.yaml did not run either
    expect(code).toBe(2);
  }, 30_000);
});

/** In process, with every listen and every child process spied on: proof that nothing started. */
describe('no partial start', () => {
  const listens: string[] = [];
  const listen = net.Server.prototype.listen;
  let stderr = '';
  const write = process.stderr.write;
  afterEach(() => {
    net.Server.prototype.listen = listen;
    process.stderr.write = write;
  });
  const spy = () => {
    listens.length = 0;
    stderr = '';
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      listens.push(JSON.stringify(args[0]));
      return (listen as (...a: unknown[]) => net.Server).apply(this, args);
    } as typeof listen;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }) as typeof process.stderr.write;
  };

  it.each([
    ['run', [dir], [...BAD, ...SYNTAX]],
    ['run', [at('good.yaml'), at('bad.yaml')], BAD],
    ['validate', [dir], [...BAD, ...SYNTAX]],
    ['up', [at('bad.yaml')], BAD],
    ['explain', [at('syntax.yaml')], SYNTAX],
  ])('mailhop %s %j: exit 2, the problems listed, no server or proxy listened', async (command, args, problems) => {
    spy();
    const code = await main([command, ...args]);
    process.stderr.write = write;
    expect(stderr.trimEnd().split('\n')).toEqual(problems);
    expect(listens).toEqual([]);
    expect(code).toBe(2);
  });

  it('the spy sees what a good file starts: its 2 servers and 2 proxies', async () => {
    spy();
    const code = await main(['run', at('good.yaml')]);
    process.stderr.write = write;
    expect(code).toBe(0);
    expect(listens.length).toBe(4);
  });
});
