/**
 * Link proxies on the link thread (harness/runtime/link-thread.ts): every bundled mock scenario
 * gives the same verdicts, wire facts and mailbox with fault-free proxies on a worker thread as
 * with all of them on the main thread; faulted links and links a real engine sends on stay on the
 * main thread; a busy port is a clear error; and a process whose chains stopped exits by itself.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';

const mockFiles = (readdirSync('scenarios', { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml') && !f.startsWith('real/')).sort();

/** What must not depend on where a proxy runs: verdicts and wire facts, not ports, ids or times. */
function facts(report: ScenarioReport) {
  return {
    passed: report.passed,
    outcome: report.outcome,
    endToEnd: report.endToEnd,
    links: report.links.map((l) => ({ link: l.link, verdict: l.verdict, version: l.version, cipher: l.cipher, witnesses: l.witnesses })),
    messages: report.messages.map((m) => ({ id: m.messageId, outcome: m.outcome, endToEnd: m.endToEnd, links: m.links.map((l) => [l.link, l.verdict, l.sessions, l.crossedInClear, l.leak]) })),
  };
}

async function run(file: string, linkThread: boolean) {
  const { scenario } = await loadScenarioFile(`scenarios/${file}`);
  await using chain = await startChain(scenario, { file, linkThread });
  const report = await chain.run();
  const wire = chain.events().flatMap((e) => (e.kind === 'wire' ? [`${e.link} ${e.record.handshake} ${e.record.tls?.cipher ?? '-'} ${e.record.plaintextData}`] : [])).sort();
  return { facts: facts(report), wire, mailbox: chain.mailbox().map((m) => `${m.id} ${m.inbound ? m.inbound.version : "plaintext"}`).sort() };
}

describe('link proxies on the link thread', () => {
  it.concurrent.for(mockFiles)('%s: same verdicts, wire facts and mailbox as on the main thread', async (file) => {
    const [main, threaded] = await Promise.all([run(file, false), run(file, true)]);
    expect(threaded.facts.passed).toBe(true);
    expect(threaded).toEqual(main);
  });

  it('runs only fault-free links there: a faulted link listens on the main thread', async () => {
    const listen = vi.spyOn(net.Server.prototype, 'listen');
    try {
      const scenario = Scenario.parse({
        name: 'threaded',
        hops: [{ id: 'relay' }, { id: 'mx' }],
        links: [{ from: 'relay', to: 'mx', fault: 'strip-starttls' }],
        messages: [{ from: 'a@org.test', to: ['b@partner.test'] }],
      });
      await using chain = await startChain(scenario, { linkThread: true });
      // Main thread: 2 hop servers and the faulted relay->mx proxy; client->relay is on the thread.
      expect(listen).toHaveBeenCalledTimes(3);
      const report = await chain.run();
      expect(report.links.map((l) => [l.link, l.verdict])).toEqual([['client->relay', 'tls'], ['relay->mx', 'stripped']]);
    } finally {
      listen.mockRestore();
    }
  });

  it('a busy port is an ECHAIN error naming the link, and nothing is left listening', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const { startLinkProxyOnThread } = await import('../../harness/runtime/link-thread.js');
      const plan = { kind: 'link' as const, name: 'a->b', host: '127.0.0.1', port, target: { host: '127.0.0.1', port: 9 }, faults: [], servername: 'b.test' };
      await expect(startLinkProxyOnThread(plan, { onOpen() {}, onRecord() {} })).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringMatching(/link a->b: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/) });
    } finally {
      busy.close();
    }
  });

  it('a process whose chains stopped exits by itself: the thread holds nothing open', async () => {
    const script = `
      import { startChain } from './harness/chain/chain.ts';
      import { Scenario } from './harness/scenario/schema.ts';
      const scenario = Scenario.parse({ name: 'exits', hops: [{ id: 'a' }, { id: 'b' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
      const chain = await startChain(scenario, { linkThread: true });
      const report = await chain.run();
      await chain.stop();
      console.log(report.endToEnd);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await once(child, 'exit');
    clearTimeout(timer);
    expect({ code, signal, out: out.trim() }).toEqual({ code: 0, signal: null, out: 'encrypted' });
  }, 40_000);
});
