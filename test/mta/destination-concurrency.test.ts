/**
 * Per-destination concurrency (outbound `concurrencyLimit`, Postfix default_destination_concurrency_limit):
 * when many retries fall due at the same virtual instant, a hop opens at most N sessions to its next hop
 * and the others wait their turn, so the outcome does not depend on how fast the machine is.
 * Counted on the receiving side: a session is open from the TCP accept until the receiver reads QUIT (or
 * the connection closes), which happens before the sender sees the 221 and can give its slot away.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../harness/chain/virtual-clock.js';
import { startChain } from '../../harness/chain/chain.js';
import { RelayQueue } from '../../harness/mta/relay-queue.js';
import { Outbound, Scenario } from '../../harness/scenario/schema.js';
import { Trace } from '../../harness/trace/trace.js';

const MINUTE = 60_000;

/**
 * A receiving MTA on loopback that counts its open sessions. It answers each sender's first RCPT with
 * `451 4.3.0` (so every message is deferred once and all retries fall due together) and accepts the
 * retry. The first `barrier` connections get their 220 only once all of them are open, so reaching
 * the limit does not hang on how the machine schedules them.
 */
async function startCountingReceiver(barrier: number) {
  const seenSenders = new Set<string>();
  let open = 0;
  let maxOpen = 0;
  let accepted = 0;
  let held: net.Socket[] | null = [];
  const greet = (s: net.Socket) => s.write('220 receiver.mailhop.test ESMTP\r\n');
  const server = net.createServer((socket) => {
    let counted = true;
    const done = () => {
      if (counted) open--;
      counted = false;
    };
    maxOpen = Math.max(maxOpen, ++open);
    socket.on('error', done).on('close', done);
    if (held) {
      held.push(socket);
      if (held.length >= barrier) {
        held.forEach(greet);
        held = null;
      }
    } else greet(socket);
    let buffer = '';
    let inData = false;
    let sender = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          accepted++;
          socket.write('250 2.0.0 Ok: queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'MAIL') sender = line;
        if (verb === 'QUIT') {
          done(); // the sender is finished with this session from here on
          socket.end('221 2.0.0 Bye\r\n');
          return;
        }
        if (verb === 'RCPT' && !seenSenders.has(sender)) {
          seenSenders.add(sender);
          socket.write('451 4.3.0 Try again later\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else socket.write(verb === 'EHLO' ? '250 receiver.mailhop.test\r\n' : '250 2.0.0 Ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
    counts: () => ({ maxOpen, accepted }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Relays `messages` messages from one queue with `concurrencyLimit: limit`; what the receiver and the trace saw. */
async function storm(messages: number, limit: number) {
  const receiver = await startCountingReceiver(limit);
  try {
    const clock = new VirtualClock();
    const trace = new Trace(clock);
    const queue = new RelayQueue({
      clock,
      target: {
        hop: 'relay', link: 'relay->receiver', policy: Outbound.parse({ tls: 'none', retry: ['5m'], concurrencyLimit: limit }),
        address: receiver.address, servername: 'receiver.mailhop.test', ehloName: 'relay.mailhop.test', implicitTls: false,
        ca: [], trace, now: () => clock.now(),
      },
    });
    for (let i = 1; i <= messages; i++) {
      queue.enqueue({ id: `m${i}`, from: `sender${i}@org.test`, to: ['bob@partner.test'], raw: Buffer.from(`X-Mailhop-Id: m${i}\r\n\r\nhello\r\n`), inbound: null });
    }
    const result = await clock.run(Number.MAX_SAFE_INTEGER, () => queue.held().length === 0);
    const sessions = trace.events().flatMap((e) => (e.kind === 'session' ? [`${e.at / MINUTE}m ${e.result}`] : []));
    const tally = (list: string[]) => Object.fromEntries([...new Set(list)].map((k) => [k, list.filter((x) => x === k).length]));
    return { result, ...receiver.counts(), sessions: tally(sessions), deferred: trace.events().filter((e) => e.kind === 'deferred').length };
  } finally {
    await receiver.close();
  }
}

describe('per-destination concurrency', () => {
  it('opens at most concurrencyLimit sessions when 60 retries fall due at once; two runs end alike', async () => {
    const expected = { result: 'done', maxOpen: 4, accepted: 60, sessions: { '0m deferred': 60, '5m relayed': 60 }, deferred: 60 };
    expect(await storm(60, 4)).toEqual(expected);
    expect(await storm(60, 4)).toEqual(expected);
  });

  it('a chain honours the scenario key: the receiving hop never has more messages in progress than the relay may send', async () => {
    // Every message's first TLS handshake on relay->mailbox is killed (the relay never falls back), so all 40
    // retries fall due at +5m. In progress on the receiving side: accepted by mailbox, the sender's session not yet over.
    const scenario = Scenario.parse({
      name: 'retry-storm',
      hops: [{ id: 'relay', outbound: { tls: 'opportunistic', fallback: 'never', retry: ['5m'], concurrencyLimit: 2 } }, { id: 'mailbox' }],
      links: [{ from: 'relay', to: 'mailbox', fault: 'kill-handshake', attempts: [1] }],
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
    });
    const runOnce = async () => {
      await using chain = await startChain(scenario);
      for (let i = 0; i < 40; i++) await chain.send(scenario.messages[0]);
      const result = await chain.settle();
      const inProgress = new Set<string>();
      let most = 0;
      for (const e of chain.events()) {
        if (e.kind === 'accepted' && e.link === 'relay->mailbox') most = Math.max(most, inProgress.add(e.messageId).size);
        if (e.kind === 'session' && e.link === 'relay->mailbox') inProgress.delete(e.messageId);
      }
      const report = chain.report();
      return { result, most, delivered: chain.mailbox().length, outcomes: report.messages.filter((m) => m.outcome === 'delivered').length, deferred: chain.events().filter((e) => e.kind === 'deferred').length };
    };
    for (let run = 1; run <= 2; run++) {
      const { most, ...outcome } = await runOnce();
      expect(most, `run ${run}: messages in progress at mailbox at once`).toBeLessThanOrEqual(2);
      expect(outcome, `run ${run}`).toEqual({ result: 'done', delivered: 40, outcomes: 40, deferred: 40 });
    }
  });
});
