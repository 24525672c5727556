/**
 * A retry storm: N messages sent at once through sendmail -> gateway -> mailbox, the first TLS
 * handshake of each on sendmail->gateway killed (Sendmail-like `fallback: never`, `retry: [5m]`), so
 * all N retries fall due at the same virtual instant. Prints one JSON line of outcome counts and why
 * messages were deferred. Run it twice, under load, to see whether the outcome depends on the machine:
 *
 *   npx tsx bench/retry-storm.ts 2000                        # concurrencyLimit 20 (the default)
 *   npx tsx bench/retry-storm.ts 2000 --concurrency 100000   # every due attempt at once
 *
 * A report, not a test; exit 0 whatever it finds.
 */
import { startChain } from '../harness/chain/chain.js';
import { Scenario } from '../harness/scenario/schema.js';

const messages = Number(process.argv[2] ?? 2_000);
const i = process.argv.indexOf('--concurrency');
const concurrencyLimit = i > 0 ? Number(process.argv[i + 1]) : 20;

const scenario = Scenario.parse({
  name: 'retry-storm',
  submit: { concurrencyLimit },
  hops: [
    { id: 'sendmail', outbound: { tls: 'opportunistic', fallback: 'never', retry: ['5m'], concurrencyLimit } },
    { id: 'gateway', outbound: { concurrencyLimit } },
    { id: 'mailbox' },
  ],
  links: [{ from: 'sendmail', to: 'gateway', fault: 'kill-handshake', attempts: [1] }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
  runFor: '1h',
});

const started = performance.now();
const chain = await startChain(scenario, { traceLimit: 2_000 });
const counts = new Map<string, number>();
const reasons = new Map<string, number>();
chain.subscribe((e) => {
  counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  // The reply without what differs per session (ports, queue ids), so equal reasons count together.
  if (e.kind !== 'deferred') return;
  const reason = `attempt ${e.attempt}: ${e.reply.text.replace(/\d{4,}/g, 'N')}`;
  reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
});
for (let n = 0; n < messages; n++) await chain.send(scenario.messages[0]);
const result = await chain.settle();
const delivered = chain.mailbox().length;
await chain.stop();
process.stdout.write(`${JSON.stringify({
  messages, concurrencyLimit, result, delivered,
  sessions: counts.get('session') ?? 0, deferred: counts.get('deferred') ?? 0, bounced: counts.get('bounced') ?? 0,
  seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
})}\n`);
for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8)) process.stdout.write(`  ${String(n).padStart(6)}  ${reason}\n`);
