/**
 * `npm run bench:soak`: messages pushed through one 3-hop chain in batches, measuring memory (RSS,
 * heap used after a full GC), CPU per message, open handles and file descriptors, and the trace's
 * size every 1,000 messages and after stop(); then the chain's report judges every message and the
 * run checks that nothing was lost or duplicated (the accounting invariant, and the final mailbox).
 * A report, not a timed test: exits 1 only when a message went missing or arrived twice.
 *
 *   npm run bench:soak                          # 10,000 messages; the middle link kills each first handshake
 *   npm run bench:soak -- --faults              # 100,000 messages, a fault on every link (below), keepFinished 1,000
 *   npm run bench:soak -- --up                  # `mailhop up` for 30 minutes at 20 messages/s (soak-up.ts)
 *   npm run bench:soak -- --messages 2000       # fewer
 *   npm run bench:soak -- --batch 20            # fewer in flight (default 50)
 *   npm run bench:soak -- --trace-limit 2000    # bounded trace (startChain's traceLimit)
 *   npm run bench:soak -- --keep-finished 1000  # bounded trace by message (startChain's keepFinished, as `up`)
 *
 * `--faults`: the client's first session is reset on STARTTLS, sendmail's first handshake to gateway
 * is killed, gateway's first TLS handshake to mailbox stalls until its 250 ms `starttlsTimeout`; each is
 * deferred and retried on the virtual clock, so every message takes 6 SMTP sessions and 3 deferrals. A
 * stall holds one of gateway's 20 session slots (concurrencyLimit) for the whole timeout, so the timeout
 * bounds the soak's pace (with 1 s, 100,000 messages took at least 5,000 s of stalls alone). Only the
 * handshake's: a 250 ms limit on every reply also fires, on a loaded machine, between the end of DATA and
 * its 250, and the retry then delivers the message twice (RFC 5321 §6.1 allows it; real MTAs wait 10 min).
 */
import { startChain, type ChainOptions } from '../harness/chain/chain.js';
import { Scenario } from '../harness/scenario/schema.js';
import { option, SoakProbe } from './soak-probe.js';

if (process.argv.includes('--up')) {
  await import('./soak-up.js');
} else {
  await soakBatches();
}

async function soakBatches(): Promise<void> {
  const faults = process.argv.includes('--faults');
  const MESSAGES = option('messages', faults ? 100_000 : 10_000);
  const BATCH = option('batch', 50);
  const EVERY = option('every', faults ? 5_000 : 1_000);
  const chainOptions: ChainOptions = process.argv.includes('--trace-limit')
    ? { traceLimit: option('trace-limit', 2_000) }
    : faults || process.argv.includes('--keep-finished')
      ? { keepFinished: option('keep-finished', 1_000) }
      : {};
  const retry = { fallback: 'never', retry: ['1m'] } as const;
  const scenario = Scenario.parse({
    name: faults ? 'soak-faults' : 'soak',
    submit: faults ? { tls: 'opportunistic', ...retry } : { tls: 'opportunistic' },
    hops: [
      // Sendmail-like: a failed handshake is deferred and retried with TLS, never in plaintext.
      { id: 'sendmail', outbound: { tls: 'opportunistic', ...retry } },
      { id: 'gateway', outbound: faults ? { tls: 'opportunistic', ...retry, starttlsTimeout: '250ms' } : { tls: 'opportunistic' } },
      { id: 'mailbox' },
    ],
    links: [
      { from: 'sendmail', to: 'gateway', fault: 'kill-handshake', attempts: [1] },
      ...(faults
        ? [
            { from: 'client', to: 'sendmail', fault: 'reset', after: 'STARTTLS', attempts: [1] },
            { from: 'gateway', to: 'mailbox', fault: 'stall', after: 'starttls', attempts: [1] },
          ]
        : []),
    ],
    messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
    runFor: '3650d',
  });

  const probe = new SoakProbe('soak');
  const chain = await startChain(scenario, chainOptions);
  // Counted as they happen: a bounded chain keeps neither every event nor every mailbox copy.
  const counts = new Map<string, number>();
  const deliveries = new Uint8Array(MESSAGES + 1); // per message number (ids are m1, m2, ...): times delivered
  chain.subscribe((e) => {
    counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    if (e.kind === 'delivered') deliveries[Number(e.messageId.slice(1))]++;
  });
  const delivered = () => counts.get('delivered') ?? 0;
  probe.take('started', 0, 0, chain.events().length);

  const message = scenario.messages[0];
  let sent = 0;
  while (sent < MESSAGES) {
    const n = Math.min(BATCH, MESSAGES - sent);
    await Promise.all(Array.from({ length: n }, () => chain.send(message)));
    sent += n;
    const result = await chain.settle();
    if (result !== 'done') throw new Error(`settle() gave ${result} after ${sent} messages`);
    if (sent % EVERY === 0 || sent === MESSAGES) probe.take(sent === MESSAGES ? 'end' : `${sent}`, sent, delivered(), chain.events().length);
  }

  const judgeStart = performance.now();
  const report = await chain.judge();
  const judgeSeconds = (performance.now() - judgeStart) / 1000;
  const kept = chain.events().length;
  await chain.stop();
  await probe.handlesSettled();
  probe.take('stopped', sent, delivered(), '-');

  let twice = 0;
  let missing = 0;
  for (let i = 1; i <= sent; i++) {
    if (deliveries[i] === 0) missing++;
    else if (deliveries[i] > 1) twice++;
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const out = process.stdout;
  out.write(`\n${scenario.name}: ${sent} messages, ${BATCH} in flight, ${JSON.stringify(chainOptions)}\n\n${probe.table()}\n\n`);
  out.write(`${sent} sent, ${delivered()} delivered (${sent - missing} distinct), ${counts.get('session') ?? 0} SMTP sessions, ${counts.get('deferred') ?? 0} deferrals\n`);
  out.write(`trace: ${total} events (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}); ${kept} kept at the end\n`);
  out.write(`report: ${report.messages.length} messages judged in ${judgeSeconds.toFixed(1)} s; ${report.links.map((l) => `${l.link} ${l.verdict} (${l.attempts} sessions)`).join(', ')}; outcome ${report.outcome}, end to end ${report.endToEnd}\n`);
  // With traceLimit the report judges only the messages whose events are kept (its accounting still counts all).
  const judgedAll = 'traceLimit' in chainOptions || report.messages.length === sent;
  if (report.failures.length > 0 || missing !== 0 || twice !== 0 || !judgedAll) {
    out.write(`NOT OK: ${missing} lost, ${twice} delivered more than once; failures: ${report.failures.slice(0, 10).join('; ') || 'none'}\n`);
    process.exitCode = 1;
  } else {
    out.write('OK: every message delivered exactly once, accounting clean\n');
  }
}
