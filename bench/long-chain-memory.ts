/**
 * One message through a chain of 1,000 mock hops, in a fresh process (so that its peak RSS is the chain's
 * alone): start the chain, send the message, judge the run, and report the process's peak RSS. What made it
 * grow with the square of the hops was the trace keeping every Received header again in each hop's
 * `accepted` event (trace/received-stack.ts keeps each once).
 *
 * The chain is built past the scenario schema's 100 hops (a limit for scenario files, RFC 5321 §6.3), and its
 * hops take 2,000 header fields instead of their default 1,000 (mta/hop-limits.ts), or the message would be
 * refused with `554 5.6.0` at about the 990th hop for its Received headers alone.
 *
 *   tsx bench/long-chain-memory.ts 1000     # prints the result as JSON
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startChain } from '../harness/chain/chain.js';
import { startHopServer } from '../harness/mta/hop-server.js';
import { inProcessRuntime } from '../harness/runtime/in-process-runtime.js';
import type { ChainRuntime } from '../harness/runtime/runtime.js';
import type { Scenario } from '../harness/scenario/schema.js';
import { offerChain } from './bench-fixtures.js';
import { now } from './stats.js';

export interface LongChainResult {
  hops: number;
  /** Peak resident set size of the whole process (start-up included), MB (10^6 bytes). */
  peakRssMb: number;
  /** Resident set size once the chain listened, before the message, MB. */
  startedRssMb: number;
  startMs: number;
  /** send -> judged report, ms. */
  runMs: number;
  /** Where the message ended: `delivered` at the last hop, or what stopped it. */
  outcome: string;
}

/** Runs the measurement in a child process (the same loader as this one) and returns its result. */
export function measureLongChain(hops: number): Promise<LongChainResult> {
  const file = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, file, String(hops)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as LongChainResult) : reject(new Error(`long chain (${hops} hops) exited with ${code}: ${out}`))));
  });
}

/** `hops` mock hops `h1`..`hN`, every link opportunistic STARTTLS, one message. */
function longChain(hops: number): Scenario {
  const base = offerChain(1);
  return { ...base, name: `bench-${hops}-hops`, hops: Array.from({ length: hops }, (_, i) => ({ ...base.hops[0], id: `h${i + 1}` })) };
}

/** The in-process runtime, with hops that take `maxHeaderFields` header fields. */
function roomyRuntime(maxHeaderFields: number): ChainRuntime {
  return {
    ...inProcessRuntime(),
    async startHop(plan, hooks) {
      const server = await startHopServer({
        hopId: plan.hopId, hostname: plan.hostname, inbound: plan.inbound, keyCert: plan.keyCert, inboundLink: plan.inboundLink, host: plan.host, port: plan.port,
        emit: (event) => hooks.emit(event), date: () => hooks.date(), onMessage: (m) => hooks.onMessage(m),
        limits: { maxHeaderFields },
      });
      return { address: server.address, records: () => [], stop: () => server.stop(), [Symbol.asyncDispose]: () => server.stop() };
    },
  };
}

async function run(hops: number): Promise<LongChainResult> {
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  let t = now();
  const chain = await startChain(longChain(hops), { runtime: roomyRuntime(2 * hops) });
  const startMs = now() - t;
  const startedRssMb = mb(process.memoryUsage().rss);
  t = now();
  const report = await chain.run();
  const runMs = now() - t;
  await chain.stop();
  const message = report.messages[0];
  const outcome = message.outcome === 'delivered' ? 'delivered' : `${message.outcome}${message.stoppedAt ? ` at ${message.stoppedAt}` : ''}`;
  return { hops, peakRssMb: mb(process.resourceUsage().maxRSS * 1024), startedRssMb, startMs, runMs, outcome };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const hops = Number(process.argv[2] ?? 1000);
  process.stdout.write(`${JSON.stringify(await run(hops))}\n`);
}
