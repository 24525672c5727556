/**
 * The worker runtime (hop servers and their link proxies in worker threads) against the in-process one: the same
 * normalised verdicts for a representative set of bundled scenarios (every kind of link fault, the STARTTLS fronts,
 * connection reuse, TLS resumption, retries and stalls on the virtual clock), its message ports gone when the chain stops and its threads kept for the next chain, and a unit's
 * failure to start rejected with the same MailhopError.
 */
import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { renderJson } from '../../harness/report/json-report.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { MailhopError } from '../../harness/errors.js';
import { inProcessRuntime } from '../../harness/runtime/in-process-runtime.js';
import { workerRuntime } from '../../harness/runtime/worker-runtime.js';
import { closeIdleUnitThreads, idleUnitThreads } from '../../harness/runtime/unit-threads.js';
import type { ChainRuntime, HopPlan } from '../../harness/runtime/runtime.js';
import type { ChainOptions } from '../../harness/chain/chain-types.js';

/** What scripts/verdict-snapshot.sh keeps of a report, with ports and real times masked the same way. */
function normalised(report: unknown): unknown {
  const [r] = (JSON.parse(renderJson([report as never])) as { scenarios: Array<Record<string, any>> }).scenarios;
  const steady = (value: unknown): unknown =>
    typeof value === 'string' ? value.replace(/(127\.0\.0\.[0-9]+)?:[0-9]{4,5}\b/g, ':PORT').replace(/[0-9]+(\.[0-9]+)? ?ms\b/g, 'N ms')
      : Array.isArray(value) ? value.map(steady)
        : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, steady(v)])) : value;
  return steady({
    name: r.name, passed: r.passed, outcome: r.outcome, endToEnd: r.endToEnd, failures: r.failures,
    links: r.links.map((l: any) => ({ link: l.link, verdict: l.verdict, version: l.version, cipher: l.cipher, attempts: l.attempts, witnesses: l.witnesses, notes: l.notes })),
    messages: r.messages.map((m: any) => ({
      messageId: m.messageId, outcome: m.outcome, endToEnd: m.endToEnd,
      links: m.links.map((l: any) => ({ link: l.link, verdict: l.verdict, sessions: l.sessions, witnesses: l.witnesses, crossedInClear: l.crossedInClear, leak: l.leak, notes: l.notes })),
    })),
  });
}

async function runFile(name: string, options: ChainOptions): Promise<unknown> {
  const { scenario, file } = await loadScenarioFile(`scenarios/${name}.yaml`);
  await using chain = await startChain(scenario, { file, ...options });
  return normalised(await chain.run());
}

/** A link fault of each kind, the fronts, reuse and resumption, and waits on the virtual clock (retries, a stall, a bounce). */
const representative = [
  'all-hops-verify-encrypted-verified', // no fault, verified TLS on every link
  'starttls-stripped-on-the-wire-opportunistic-goes-plain', // strip
  'cisco-masked-starttls-goes-plain', // mask
  'link-454-downgrades-postfix-may', // a 454 on the link
  'tampered-starttls-reply-held-by-mandatory', // tamper
  'killed-handshake-then-strip-beats-sendmail', // kill the handshake on attempt 1, then strip
  'injected-response-discarded-by-client', // inject
  'reset-on-starttls-is-no-handshake-failure', // reset
  'slow-link-still-encrypted-verified', // delay
  'stalled-handshake-exim-reconnects-in-clear', // stall: the sender's 5 min timeout on the virtual clock
  'interception-caught-by-verify', // intercept (certificate issued up front for a proxy elsewhere)
  'fake-454-opportunistic-continues-in-plaintext', // front: 454
  'fake-502-mandatory-held', // front: 502
  'break-handshake-stall-costs-a-timeout-then-plaintext', // front: a stalled handshake
  'vulnerable-injection-hop-with-honest-sender-encrypted', // front: command injection
  'enull-cipher-says-esmtps-but-is-not-encrypted',
  'implicit-tls-hop',
  'postfix-plaintext-after-five-minutes', // retries on the virtual clock
  'mandatory-bounces-at-max-age', // a bounce and its DSN at the virtual max age
  'reuse/two-messages-one-tls-session', // reuse: two transactions on one TLS session
  'reuse/second-connection-resumes-tls', // resumption: a ticket the hop's thread issued, resumed by the chain's sender
];

/**
 * Scenarios where the client submits two messages at once and the relay sends them one after the other (on one
 * session, or on a second connection that resumes the first one's TLS session): in one event loop the relay always
 * takes m1 first, but with the relay in another thread than the client either may arrive first. Which message went
 * first is then the one thing that may differ; compared without message ids.
 */
const racing = new Set(['reuse/two-messages-one-tls-session', 'reuse/second-connection-resumes-tls']);

/** `verdicts` with every message id as `m#` and the messages in a fixed order. */
function withoutMessageOrder(verdicts: unknown): unknown {
  const masked = JSON.parse(JSON.stringify(verdicts).replace(/\bm\d+\b/g, 'm#')) as { messages: unknown[]; links: Array<{ notes: string[] }> };
  for (const link of masked.links) link.notes.sort();
  masked.messages.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return masked;
}

describe('worker runtime: same verdicts as in-process', () => {
  it.for(representative)('%s', { timeout: 60_000 }, async (name) => {
    const inProcess = await runFile(name, {});
    const inWorkers = await runFile(name, { runtime: 'workers' });
    if (racing.has(name)) expect(withoutMessageOrder(inWorkers)).toEqual(withoutMessageOrder(inProcess));
    else expect(inWorkers).toEqual(inProcess);
  });
});

/** OS threads of this process (Linux). */
const threadCount = () => fs.readdirSync('/proc/self/task').length;
const messagePorts = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

describe('worker runtime: threads', () => {
  it.skipIf(!fs.existsSync('/proc/self/task'))('a stopped chain leaves no message port behind; its threads wait idle for the next chain, which starts none', { timeout: 60_000 }, async () => {
    const scenario = Scenario.parse({ name: 'threads', hops: [{ id: 'relay' }, { id: 'mx' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    { // libuv's thread pool (keys, DNS) starts on first use and stays: started before counting.
      await using warm = await startChain(scenario);
      await warm.run();
    }
    await closeIdleUnitThreads();
    const [threads, ports] = [threadCount(), messagePorts()];
    const first = workerRuntime({ threads: 2 });
    const chain = await startChain(scenario, { runtime: first });
    expect((await chain.run()).outcome).toBe('delivered');
    expect(first.threads.started).toBe(2);
    expect(threadCount()).toBeGreaterThanOrEqual(threads + 2);
    expect(messagePorts()).toBeGreaterThan(ports);
    await chain.stop();
    expect(messagePorts()).toBe(ports);
    expect(idleUnitThreads()).toBe(2);
    const withIdle = threadCount();

    // The next chain takes the two idle threads: no OS thread is added, and the message crosses as before.
    const second = workerRuntime({ threads: 2 });
    const again = await startChain(scenario, { runtime: second });
    expect(idleUnitThreads()).toBe(0);
    const report = await again.run();
    expect(report.outcome).toBe('delivered');
    expect(second.threads.started).toBe(2);
    expect(threadCount()).toBe(withIdle);
    await again.stop();
    expect(messagePorts()).toBe(ports);

    await closeIdleUnitThreads();
    expect(idleUnitThreads()).toBe(0);
    expect(threadCount()).toBe(threads);
  });
});

/** A hop plan for `hopId` on 127.0.0.1:`port`. */
async function hopPlan(hopId: string, port: number): Promise<HopPlan> {
  const scenario = Scenario.parse({ name: 'bind', hops: [{ id: hopId }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
  const inbound = scenario.hops[0].inbound as HopPlan['inbound'];
  const keyCert = await (await RunPki.create()).issue(`${hopId}.mailhop.test`, inbound.cert);
  return { kind: 'hop', hopId, hostname: `${hopId}.mailhop.test`, inbound, keyCert, inboundLink: `client->${hopId}`, host: '127.0.0.1', port, wallStart: Date.now() };
}

const noHooks = { emit: () => {}, date: () => new Date(), onMessage: () => {} };

/** What `runtime.startHop` rejects with for a port already taken. */
async function bindFailure(runtime: ChainRuntime, plan: HopPlan): Promise<MailhopError> {
  try {
    const unit = await runtime.startHop(plan, noHooks);
    await unit.stop();
  } catch (err) {
    return err as MailhopError;
  } finally {
    await runtime.stop();
  }
  throw new Error('the hop started on a port in use');
}

describe('worker runtime: a unit that cannot start', () => {
  it('a hop that cannot bind its address rejects with the MailhopError the in-process runtime gives', { timeout: 30_000 }, async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const plan = await hopPlan('mx', port);
      const inProcess = await bindFailure(inProcessRuntime(), plan);
      const inWorker = await bindFailure(workerRuntime({ threads: 1 }), plan);
      expect(inWorker).toBeInstanceOf(MailhopError);
      expect(inWorker.message).toBe(`hop mx: cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE).`);
      expect({ code: inWorker.code, hop: inWorker.hop, message: inWorker.message }).toEqual({ code: inProcess.code, hop: inProcess.hop, message: inProcess.message });
      expect((inWorker.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    } finally {
      taken.close();
    }
  });

  it('a "send to" port in use fails the chain with the same EBIND, naming the hop, the link and who asked for the port', { timeout: 30_000 }, async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const scenario = Scenario.parse({ name: 'taken', hops: [{ id: 'mx', port }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    const failure = (runtime: 'in-process' | 'workers') => startChain(scenario, { runtime }).then(() => undefined, (err: MailhopError) => err);
    try {
      const [inProcess, inWorkers] = [await failure('in-process'), await failure('workers')];
      expect(inWorkers).toBeInstanceOf(MailhopError);
      expect(inWorkers?.message).toBe(`hop mx: cannot listen on 127.0.0.1:${port}, its "send to" address (the link proxy of client->mx, from port: ${port} on hop mx): the port is in use (EADDRINUSE).`);
      expect({ code: inWorkers?.code, hop: inWorkers?.hop, link: inWorkers?.link, message: inWorkers?.message })
        .toEqual({ code: inProcess?.code, hop: inProcess?.hop, link: inProcess?.link, message: inProcess?.message });
    } finally {
      taken.close();
    }
  });
});
