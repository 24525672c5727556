/**
 * mailhop listens on loopback only and sends nowhere but its own links. Judged from the kernel
 * (/proc/net/tcp and tcp6: every listening socket of this process tree) and from Node's
 * `net.client.socket` diagnostics channel (every outgoing TCP connection, whoever opens it), with
 * DNS spied on: a recipient at a foreign domain must never make mailhop look up or reach that domain.
 */
import dc from 'node:diagnostics_channel';
import dns from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isIP, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.js';
import { startChain, type StartedChain } from '../../harness/chain/chain.js';
import { MailhopError } from '../../harness/errors.js';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';
import type { SessionEvent, WireEvent } from '../../harness/trace/events.js';
import { availability } from '../support/engine.js';
import { LISTEN, processTree, socketsOf } from '../support/proc.js';

const scenario = (input: Partial<ScenarioInput>) => Scenario.parse({ name: 'safety', messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }], ...input });

/** Every hop kind that listens: the honest server, each front, implicit TLS; faults on two links. */
const EVERY_LISTENER = scenario({
  hops: [
    { id: 'offer' },
    { id: 'none', inbound: { starttls: 'none' } },
    { id: 'fake', inbound: { starttls: 'fake-454' } },
    { id: 'broken', inbound: { starttls: 'break-handshake', how: 'close' } },
    { id: 'injectable', inbound: { starttls: 'vulnerable-injection' } },
    { id: 'implicit', inbound: { starttls: 'implicit' } },
  ],
  links: [
    { from: 'client', to: 'offer', fault: 'intercept' },
    { from: 'none', to: 'fake', fault: 'strip-starttls' },
  ],
});

/** Listening sockets of this process and its children (real engines). */
function listeningNow() {
  return socketsOf(processTree(process.pid).map((p) => p.pid), LISTEN);
}

const usable = availability('postfix');

describe('listening', () => {
  it('every socket a running chain listens on (servers, fronts, inner servers, proxies) is IPv4 loopback, 127.0.0.0/8', async () => {
    const before = new Set(listeningNow().map((s) => s.inode));
    await using chain = await startChain(EVERY_LISTENER);
    const opened = listeningNow().filter((s) => !before.has(s.inode));

    // 6 hops: 6 proxies, 6 servers, and an inner smtp-server behind each of the 4 fronts.
    expect(opened.length).toBe(16);
    expect(opened.filter((s) => s.family !== 4 || !/^127\./.test(s.address)).map((s) => `${s.address}:${s.port}`)).toEqual([]);
    const addresses = chain.hops.flatMap((h) => [h.server, h.proxy]).map((a) => `${a.host}:${a.port}`);
    expect(addresses.filter((a) => !opened.some((s) => `${s.address}:${s.port}` === a))).toEqual([]);
  });

  it.skipIf(!usable.usable)(`a real Postfix hop listens on loopback too${usable.usable ? '' : ` (skipped: ${usable.reason})`}`, async () => {
    const before = new Set(listeningNow().map((s) => s.inode));
    await using _chain = await startChain(scenario({ hops: [{ id: 'relay' }, { id: 'mta', engine: 'postfix' }, { id: 'mx' }] }));
    const opened = listeningNow().filter((s) => !before.has(s.inode));
    expect(opened.length).toBeGreaterThanOrEqual(6);
    expect(opened.filter((s) => s.family !== 4 || !/^127\./.test(s.address)).map((s) => `${s.address}:${s.port}`)).toEqual([]);
  }, 60_000);

  it.each(['0.0.0.0', '192.0.2.10', '10.0.0.1', '::', '::1', 'localhost', '127.0.0.1.example.com'])(
    'startChain on %s is refused with a MailhopError, before anything listens',
    async (host) => {
      const before = new Set(listeningNow().map((s) => s.inode));
      const error = await startChain(EVERY_LISTENER, { host }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailhopError);
      expect(error).toMatchObject({ code: 'ELOOPBACK', message: `startChain: cannot bind ${host}: mock hops listen on loopback (127.0.0.0/8) only.` });
      expect(listeningNow().filter((s) => !before.has(s.inode))).toEqual([]);
    },
  );

  it('an external gateway at a non-loopback address is refused unless allowed, before anything listens or connects', async () => {
    const spy = spyOnNetwork();
    const before = new Set(listeningNow().map((s) => s.inode));
    const external = scenario({ hops: [{ id: 'relay' }, { id: 'gateway', engine: 'external', host: '192.0.2.25', port: 25 }, { id: 'mx' }] });
    const error = await startChain(external).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'MailhopError', code: 'ELOOPBACK', hop: 'gateway',
      message: 'hop gateway: cannot relay to the external gateway at 192.0.2.25: it is not a loopback address (127.0.0.0/8). Only startChain(scenario, { allowExternal: true }) (`--allow-external`) uses one.',
    });
    expect(listeningNow().filter((s) => !before.has(s.inode))).toEqual([]);
    expect(spy.attempts.filter((c) => !c.startsWith('127.'))).toEqual([]);
    expect(spy.lookups).toEqual([]);
  });
});

describe('a scenario file naming another machine', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mailhop-external-')), 'elsewhere.yaml');
  writeFileSync(file, `name: elsewhere
hops:
  - id: relay
  - id: gateway
    engine: external
    host: 192.0.2.25
    port: 25
  - id: mx
messages: [{ from: alice@org.test, to: [bob@partner.test] }]
`);
  afterAll(() => rmSync(path.dirname(file), { recursive: true, force: true }));

  it.each(['validate', 'run', 'up'])('mailhop %s: exit 2 with the address located, nothing listens or connects; validate --allow-external accepts it', async (command) => {
    const spy = spyOnNetwork();
    const before = new Set(listeningNow().map((s) => s.inode));
    let stderr = '';
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    restore.push(() => (process.stderr.write = write));
    const code = await main([command, file]);
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: `${file}:6:11: hops[1].host: external hop gateway at 192.0.2.25: not a loopback address (127.0.0.0/8); only --allow-external (API: { allowExternal: true }) lets a scenario reach another machine\n`,
    });
    expect(listeningNow().filter((s) => !before.has(s.inode))).toEqual([]);
    expect(spy.attempts).toEqual([]);
    stderr = '';
    const out: string[] = [];
    const writeOut = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    restore.push(() => (process.stdout.write = writeOut));
    expect(await main(['validate', '--allow-external', file])).toBe(0);
    expect(out.join('')).toBe(`ok ${file} (elsewhere)\n`);
  });
});

/**
 * Records every outgoing TCP connection: `connections` as connected (`host:port`), `attempts` also
 * those that failed; and every DNS query for a name (an address literal asks no resolver).
 */
function spyOnNetwork(): { connections: string[]; attempts: string[]; lookups: string[] } {
  const connections: string[] = [];
  const attempts: string[] = [];
  const lookups: string[] = [];
  const onSocket = (message: unknown) => {
    const { socket } = message as { socket: Socket };
    socket.once('connect', () => {
      connections.push(`${socket.remoteAddress}:${socket.remotePort}`);
      attempts.push(`${socket.remoteAddress}:${socket.remotePort}`);
    });
    socket.once('lookup', (_err, address, _family, host) => lookups.push(`${host} -> ${address}`));
    socket.once('connectionAttempt', (ip: string, port: number) => attempts.push(`${ip}:${port}`));
    socket.once('error', (err: NodeJS.ErrnoException & { address?: string; port?: number }) => {
      if (err.address) attempts.push(`${err.address}:${err.port}`);
    });
  };
  dc.subscribe('net.client.socket', onSocket);
  const names = ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveMx', 'resolveAny'] as const;
  const originals = names.map((n) => [n, dns[n]] as const);
  const promiseNames = ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveMx', 'resolveAny'] as const;
  const promiseOriginals = promiseNames.map((n) => [n, dns.promises[n]] as const);
  for (const [n, original] of originals) {
    (dns as unknown as Record<string, unknown>)[n] = (host: string, ...rest: unknown[]) => {
      if (!isIP(host)) lookups.push(`dns.${n}(${host})`);
      return (original as (...a: unknown[]) => unknown)(host, ...rest);
    };
  }
  for (const [n, original] of promiseOriginals) {
    (dns.promises as unknown as Record<string, unknown>)[n] = (host: string, ...rest: unknown[]) => {
      if (!isIP(host)) lookups.push(`dns.promises.${n}(${host})`);
      return (original as (...a: unknown[]) => unknown)(host, ...rest);
    };
  }
  restore.push(() => {
    dc.unsubscribe('net.client.socket', onSocket);
    for (const [n, original] of originals) (dns as unknown as Record<string, unknown>)[n] = original;
    for (const [n, original] of promiseOriginals) (dns.promises as unknown as Record<string, unknown>)[n] = original;
  });
  return { connections, attempts, lookups };
}
const restore: Array<() => void> = [];
afterEach(() => {
  for (const r of restore.splice(0)) r();
});

describe('relaying', () => {
  it('mail to foreign domains goes only to the chain\'s own links: no DNS, every connection to a socket the chain listens on, every session through its link\'s proxy', async () => {
    const spy = spyOnNetwork();
    const foreign = scenario({
      hops: [{ id: 'relay' }, { id: 'gateway', inbound: { starttls: 'fake-454' } }, { id: 'mx' }],
      messages: [
        { from: 'alice@org.test', to: ['postmaster@example.com', 'someone@example.net'] },
        { from: 'alice@org.test', to: ['user@gmail.com', 'admin@microsoft.com'] },
      ],
    });
    const listening = new Set(listeningNow().map((s) => s.inode));
    await using chain: StartedChain = await startChain(foreign);
    const own = listeningNow().filter((s) => !listening.has(s.inode)).map((s) => `${s.address}:${s.port}`);
    const report = await chain.run();

    expect(report.outcome).toBe('delivered');
    expect(chain.mailbox().map((m) => m.to)).toEqual([['postmaster@example.com', 'someone@example.net'], ['user@gmail.com', 'admin@microsoft.com']]);
    expect(spy.lookups).toEqual([]);
    expect(spy.connections.length).toBeGreaterThan(0);
    expect(spy.attempts.filter((c) => !own.includes(c))).toEqual([]);
    // The sender's account and the wire's agree: each session's local port is a connection its own link's proxy saw.
    const events = chain.events();
    const sessions = events.filter((e): e is SessionEvent => e.kind === 'session');
    const wire = events.filter((e): e is WireEvent => e.kind === 'wire');
    expect(sessions.length).toBe(6);
    for (const s of sessions) {
      expect(wire.filter((w) => w.link === s.link && w.record.clientPort === s.localPort).length, `${s.link} ${s.messageId} attempt ${s.attempt}`).toBe(1);
    }
    const proxies = new Set(chain.hops.map((h) => `${h.proxy.host}:${h.proxy.port}`));
    const toProxies = spy.connections.filter((c) => proxies.has(c));
    expect(toProxies.length).toBe(sessions.length);
  });
});
