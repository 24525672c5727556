/**
 * `npm run bench:soak`: 10,000 messages through one 3-hop chain whose middle link kills the first
 * TLS handshake of every message (`kill-handshake`, `attempts: [1]`: each message is deferred once
 * and retried on the virtual clock), in batches. Prints memory (RSS, heap used after a full GC),
 * open handles and file descriptors, and the trace's size at the start, every 1,000 messages, at the
 * end and after stop(); then checks that nothing was lost or duplicated (the accounting invariant,
 * and the final mailbox). A report, not a timed test: exits 1 only when a message went missing.
 *
 *   npm run bench:soak                          # 10,000 messages, 50 in flight
 *   npm run bench:soak -- --messages 2000       # fewer
 *   npm run bench:soak -- --batch 20            # fewer in flight
 *   npm run bench:soak -- --judge               # also time report() (every verdict) at the end
 *   npm run bench:soak -- --trace-limit 2000    # bounded trace (startChain's traceLimit): flat memory
 */
import { readdirSync } from 'node:fs';
import { startChain } from '../harness/chain/chain.js';
import { Scenario } from '../harness/scenario/schema.js';
import { checkAccounting } from '../harness/verdict/accounting.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const MESSAGES = option('messages', 10_000);
const BATCH = option('batch', 50);
const EVERY = option('every', 1_000);
const judge = process.argv.includes('--judge');
const traceLimit = process.argv.includes('--trace-limit') ? option('trace-limit', 2_000) : undefined;

const scenario = Scenario.parse({
  name: 'soak',
  hops: [
    // Sendmail-like: a failed handshake is deferred and retried with TLS, never in plaintext.
    { id: 'sendmail', outbound: { tls: 'opportunistic', fallback: 'never', retry: ['1m'] } },
    { id: 'gateway' },
    { id: 'mailbox' },
  ],
  links: [{ from: 'sendmail', to: 'gateway', fault: 'kill-handshake', attempts: [1] }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
  runFor: '3650d',
});

const gc = (globalThis as { gc?: () => void }).gc;
const MB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

interface Sample {
  label: string;
  sent: number;
  delivered: number;
  rssMb: string;
  heapMb: string;
  handles: number;
  fds: number;
  events: number | string;
  seconds: string;
}

const started = performance.now();
function sample(label: string, sent: number, delivered: number, events: number | string): Sample {
  gc?.(); // retained memory, not garbage waiting for a collection
  const memory = process.memoryUsage();
  return {
    label,
    sent,
    delivered,
    rssMb: MB(memory.rss),
    heapMb: MB(memory.heapUsed),
    handles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length,
    fds: readdirSync('/proc/self/fd').length,
    events,
    seconds: ((performance.now() - started) / 1000).toFixed(1),
  };
}

const samples: Sample[] = [];
const show = (s: Sample) => {
  samples.push(s);
  process.stderr.write(`soak: ${s.label.padEnd(10)} sent ${String(s.sent).padStart(6)}  delivered ${String(s.delivered).padStart(6)}  rss ${s.rssMb.padStart(7)} MB  heap ${s.heapMb.padStart(7)} MB  handles ${String(s.handles).padStart(4)}  fds ${String(s.fds).padStart(4)}  trace ${String(s.events).padStart(7)} events  ${s.seconds} s\n`);
};

if (!gc) process.stderr.write('soak: run with node --expose-gc (npm run bench:soak does) for heap figures after a full GC\n');
show(sample('start', 0, 0, 0));
const chain = await startChain(scenario, traceLimit === undefined ? {} : { traceLimit });
show(sample('started', 0, 0, chain.events().length));
// Counted as they happen: with a trace limit, events() no longer holds them all.
const counts = new Map<string, number>();
chain.subscribe((e) => counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1));

const message = scenario.messages[0];
let sent = 0;
while (sent < MESSAGES) {
  const n = Math.min(BATCH, MESSAGES - sent);
  await Promise.all(Array.from({ length: n }, () => chain.send(message)));
  sent += n;
  const result = await chain.settle();
  if (result !== 'done') throw new Error(`settle() gave ${result} after ${sent} messages`);
  if (sent % EVERY === 0 || sent === MESSAGES) show(sample(sent === MESSAGES ? 'end' : `${sent}`, sent, chain.mailbox().length, chain.events().length));
}

const events = chain.events();
// The whole trace is replayed; with a trace limit, the chain counted as it went and report() says.
const problems =
  traceLimit === undefined
    ? checkAccounting(events, [], 'mailbox')
    : chain.report().failures.filter((f) => f.startsWith('accounting: ')).map((f) => f.slice('accounting: '.length));
const ids = chain.mailbox().map((m) => m.id);
const unique = new Set(ids).size;
const traceBytes = Buffer.byteLength(JSON.stringify(events));
const total = [...counts.values()].reduce((a, b) => a + b, 0);

let judged = '';
if (judge) {
  const t = performance.now();
  const report = chain.report();
  judged = `report() over ${events.length} events: ${((performance.now() - t) / 1000).toFixed(1)} s, ${report.failures.length} failures`;
}
await chain.stop();
// Closed servers leave the handle list a moment after their close callbacks; give them up to 2 s.
const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
for (const deadline = Date.now() + 2_000; handles() > samples[0].handles && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
show(sample('stopped', sent, ids.length, '-'));

const out = process.stdout;
out.write('\n| point | messages | RSS MB | heap used MB | handles | fds | trace events | s |\n|---|---|---|---|---|---|---|---|\n');
for (const s of samples) out.write(`| ${s.label} | ${s.sent} | ${s.rssMb} | ${s.heapMb} | ${s.handles} | ${s.fds} | ${s.events} | ${s.seconds} |\n`);
out.write(`\n${sent} sent, ${ids.length} in the mailbox (${unique} distinct), ${counts.get('session') ?? 0} SMTP sessions, ${counts.get('deferred') ?? 0} deferrals (the killed handshakes)\n`);
out.write(`trace: ${total} events (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')})`);
out.write(traceLimit === undefined ? `, ${MB(traceBytes)} MB as JSON, ${(traceBytes / sent / 1024).toFixed(1)} KiB per message\n` : `; ${events.length} kept (traceLimit ${traceLimit}), ${MB(traceBytes)} MB as JSON\n`);
if (judged) out.write(`${judged}\n`);
const lost = sent - unique;
if (problems.length > 0 || lost !== 0 || unique !== ids.length) {
  out.write(`NOT OK: ${lost} lost, ${ids.length - unique} duplicated; accounting: ${problems.slice(0, 10).join('; ') || 'clean'}\n`);
  process.exitCode = 1;
} else {
  out.write('OK: nothing lost, nothing duplicated, accounting clean\n');
}
