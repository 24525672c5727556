/**
 * The child process of long-chain-memory.ts: one message through `argv[2]` mock hops, on the compiled package
 * (dist/, as `mailhop` and the library run for users), in plain Node without tsx, whose loader thread and
 * transpiled sources alone add about 40 MB of RSS to any process it runs. Prints a LongChainResult as JSON.
 *
 * The chain is built past the scenario schema's 100 hops (a limit for scenario files, RFC 5321 §6.3), and its
 * hops take 2 header fields per hop (at least their default 1,000) (mta/hop-limits.ts), or the message would be
 * refused with `554 5.6.0` at about the 990th hop for its Received headers alone.
 */
import { startChain } from '../dist/harness/chain/chain.js';
import { startHopServer } from '../dist/harness/mta/hop-server.js';
import { inProcessRuntime } from '../dist/harness/runtime/in-process-runtime.js';
import { Scenario } from '../dist/harness/scenario/schema.js';

const hops = Number(process.argv[2] ?? 1000);
const mb = (bytes) => Math.round(bytes / 1e6);

// `hops` mock hops h1..hN, every link opportunistic STARTTLS, one small message (as bench-fixtures.ts offerChain):
// one hop parsed by the schema, then repeated past its limit.
const one = Scenario.parse({
  name: `bench-${hops}-hops`,
  submit: { tls: 'opportunistic' },
  hops: [{ id: 'h1', inbound: { starttls: 'offer', greetingDelay: 0 } }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], subject: 'bench', body: 'one message through a long chain' }],
});
const scenario = { ...one, hops: Array.from({ length: hops }, (_, i) => ({ ...one.hops[0], id: `h${i + 1}` })) };

/** The in-process runtime, with hops that take `maxHeaderFields` header fields. */
const runtime = {
  ...inProcessRuntime(),
  async startHop(plan, hooks) {
    const server = await startHopServer({
      hopId: plan.hopId, hostname: plan.hostname, inbound: plan.inbound, keyCert: plan.keyCert, inboundLink: plan.inboundLink, host: plan.host, port: plan.port,
      emit: (event) => hooks.emit(event), date: () => hooks.date(), onMessage: (m) => hooks.onMessage(m),
      limits: { maxHeaderFields: Math.max(1000, 2 * hops) },
    });
    return { address: server.address, records: () => [], stop: () => server.stop(), [Symbol.asyncDispose]: () => server.stop() };
  },
};

let t = performance.now();
const chain = await startChain(scenario, { runtime });
const startMs = performance.now() - t;
const startedRssMb = mb(process.memoryUsage().rss);
t = performance.now();
const report = await chain.run();
const runMs = performance.now() - t;
await chain.stop();
const message = report.messages[0];
const outcome = message.outcome === 'delivered' ? 'delivered' : `${message.outcome}${message.stoppedAt ? ` at ${JSON.stringify(message.stoppedAt)}` : ''}`;
process.stdout.write(`${JSON.stringify({ hops, peakRssMb: mb(process.resourceUsage().maxRSS * 1024), startedRssMb, startMs, runMs, outcome })}\n`);
