/**
 * `npm run bench:soak -- --up`: `mailhop up` left running while mail is sent by hand at a steady rate.
 * The chain and the watcher are the ones `up` uses (UP_CHAIN_OPTIONS, live-watch.ts; its lines are
 * counted, not printed); nodemailer sends each message on its own connection to the first hop's proxy,
 * with STARTTLS, as `swaks --tls-optional` would. Every `--every` seconds it measures memory after a
 * full GC, CPU per message since the last point and the trace's size; at the end it judges the whole
 * session with the chain's report, checks every message was delivered once, and stops the chain as
 * SIGTERM does, timing both. The figures to read: CPU per message stays flat, and RSS grows by less
 * than 5 MB per 10,000 messages (issue 10, item 6).
 *
 *   npm run bench:soak -- --up                          # 30 minutes at 20 messages/s
 *   npm run bench:soak -- --up --minutes 5 --every 30   # shorter
 */
import nodemailer from 'nodemailer';
import { startChain } from '../harness/chain/chain.js';
import { Scenario } from '../harness/scenario/schema.js';
import { UP_CHAIN_OPTIONS, watchChain } from '../harness/report/live-watch.js';
import { option, SoakProbe, type Sample } from './soak-probe.js';

const MINUTES = option('minutes', 30);
const RATE = option('rate', 20);
const EVERY_S = option('every', 60);
/** Connections in flight at most: a machine too slow for the rate falls behind rather than piling up sockets. */
const MAX_IN_FLIGHT = 100;

// sendmail's first handshake to gateway is killed and it reconnects in clear (stripped), as in scenarios/.
const scenario = Scenario.parse({
  name: 'soak-up',
  hops: [{ id: 'sendmail', outbound: { tls: 'opportunistic', fallback: 'reconnect' } }, { id: 'gateway' }, { id: 'mailbox' }],
  links: [{ from: 'sendmail', to: 'gateway', fault: 'kill-handshake', attempts: [1] }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
  runFor: '3650d',
});

const probe = new SoakProbe('soak --up');
const chain = await startChain(scenario, { ...UP_CHAIN_OPTIONS });
let printed = 0;
let deferrals = 0;
let lastLine = '';
const watch = watchChain(chain, (line) => {
  // A message's line once its outcome is known; a deferral's line (renderDeferred) as it happens.
  if (/ deferred at .*; next attempt at /.test(line)) deferrals++;
  else printed++;
  lastLine = line;
});
probe.take('started', 0, 0, chain.events().length);

const { host, port } = chain.hops[0].proxy;
const transport = nodemailer.createTransport({ host, port, secure: false, tls: { rejectUnauthorized: false } });
let sent = 0;
let failed = 0;
let inFlight = 0;
const started = performance.now();
const end = started + MINUTES * 60_000;
let nextSample = started + EVERY_S * 1000;
const send = (n: number) => {
  inFlight++;
  transport
    .sendMail({ from: 'carol@org.test', to: 'dan@partner.test', subject: `soak ${n}`, text: `message ${n} sent by hand` })
    .catch(() => failed++)
    .finally(() => inFlight--);
};
// Steady rate: each tick sends what the clock says is due (timers drift; the count does not).
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const now = performance.now();
    const due = Math.floor(((Math.min(now, end) - started) / 1000) * RATE);
    while (sent < due && inFlight < MAX_IN_FLIGHT) send(++sent);
    if (now >= nextSample) {
      nextSample += EVERY_S * 1000;
      probe.take(`${Math.round((now - started) / 60_000)} min`, sent, printed, chain.events().length);
    }
    if (now >= end) {
      clearInterval(tick);
      resolve();
    }
  }, 1000 / RATE);
});
for (const deadline = Date.now() + 60_000; (inFlight > 0 || printed < sent - failed) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
probe.take('end', sent, printed, chain.events().length);

const judgeStart = performance.now();
const report = await chain.judge();
const judgeSeconds = (performance.now() - judgeStart) / 1000;
// What SIGTERM does in `up`: the watcher stops, then the chain.
const stopStart = performance.now();
watch.stop();
await chain.stop();
const stopSeconds = (performance.now() - stopStart) / 1000;
transport.close();
await probe.handlesSettled();
probe.take('stopped', sent, printed, '-');

/**
 * Growth per 10,000 messages, over the points taken once the chain holds its full bound (2 × keepFinished
 * messages done; before that the kept trace fills up): least squares of memory against messages done and
 * trace events kept, so the saw-tooth of batches forgotten (keepFinished/2 to keepFinished messages'
 * events) does not count as growth.
 */
const steady = probe.samples.filter((s) => s.done >= 2 * UP_CHAIN_OPTIONS.keepFinished! && s.label.endsWith('min'));
const per10k = (of: (s: Sample) => number) => {
  if (steady.length < 4) return '-';
  // Normal equations of y = a + b·done + c·events, solved by Cramer's rule.
  const rows = steady.map((s) => [1, s.done, Number(s.events), of(s)]);
  const m = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((acc, r) => acc + r[i] * r[j], 0)));
  const v = [0, 1, 2].map((i) => rows.reduce((acc, r) => acc + r[i] * r[3], 0));
  const det = (a: number[][]) => a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const withColumn = (c: number) => m.map((row, i) => row.map((x, j) => (j === c ? v[i] : x)));
  return ((det(withColumn(1)) / det(m)) * 10_000).toFixed(1);
};
const windows = probe.samples.filter((s): s is Sample & { cpuMsPerMessage: number } => s.label.endsWith('min') && s.cpuMsPerMessage !== undefined);
const delivered = report.messages.filter((m) => m.outcome === 'delivered').length;
const out = process.stdout;
out.write(`\nsoak --up: ${MINUTES} min at ${RATE} messages/s, keepFinished ${UP_CHAIN_OPTIONS.keepFinished}\n\n${probe.table()}\n\n`);
out.write(`${sent} sent by hand (${failed} refused or failed), ${printed} live verdict lines and ${deferrals} deferrals printed; last: ${lastLine.replace(/\x1b\[[0-9;]*m/g, '')}\n`);
out.write(`CPU per message: ${windows[0]?.cpuMsPerMessage ?? '-'} ms in the first window, ${windows.at(-1)?.cpuMsPerMessage ?? '-'} ms in the last\n`);
out.write(`growth once the bound is reached (${steady.length} points, ${steady[0]?.done ?? '-'} to ${steady.at(-1)?.done ?? '-'} messages): RSS ${per10k((s) => s.rssMb)} MB and heap ${per10k((s) => s.heapMb)} MB per 10,000 messages\n`);
out.write(`report: ${report.messages.length} messages judged in ${judgeSeconds.toFixed(2)} s (${delivered} delivered); stop() took ${stopSeconds.toFixed(2)} s\n`);
if (failed > 0 || delivered !== sent || report.failures.length > 0) {
  out.write(`NOT OK: ${sent - delivered} not delivered; failures: ${report.failures.slice(0, 10).join('; ') || 'none'}\n`);
  process.exitCode = 1;
} else {
  out.write('OK: every message delivered and judged, accounting clean\n');
}
