/**
 * Fuzzing a running chain: random and adversarial byte streams thrown at every hop (straight at its
 * server or front, and through its link proxy, with and without faults) while real messages cross
 * the same chain. Nothing may crash, every reply must be an SMTP reply line (RFC 5321 §4.2) or a
 * close, every listener must serve a fresh session afterwards, and the real mail must arrive
 * exactly once with the accounting clean.
 *
 * Seeded and bounded: `MAILHOP_FUZZ_SEED` (default 1) and `MAILHOP_FUZZ_RUNS` (random streams per
 * listener, default 8) reproduce or widen a run; a failure names the seed, listener and case.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';
import { checkAccounting } from '../../harness/verdict/accounting.js';
import { freshSession, inPool, throwCase } from './fuzz-kit.js';
import { adversarialCases, clientHello, randomCase, type FuzzCase } from '../support/fuzz-streams.js';

const SEED = Number(process.env.MAILHOP_FUZZ_SEED ?? 1);
const RUNS = Number(process.env.MAILHOP_FUZZ_RUNS ?? 8);

const message = (n: number) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject: `real ${n}`, body: 'sent while fuzzing' });

const CHAINS: Array<{ name: string; input: Partial<ScenarioInput> }> = [
  {
    name: 'every front (offer, none, fake-454, break-handshake, vulnerable-injection), faults on four links',
    input: {
      hops: [
        { id: 'offer' },
        { id: 'none', inbound: { starttls: 'none' } },
        { id: 'fake-454', inbound: { starttls: 'fake-454' } },
        { id: 'broken', inbound: { starttls: 'break-handshake', how: 'close' } },
        { id: 'injectable', inbound: { starttls: 'vulnerable-injection' } },
      ],
      links: [
        { from: 'offer', to: 'none', fault: 'delay', ms: 2 },
        { from: 'none', to: 'fake-454', fault: 'strip-starttls' },
        { from: 'fake-454', to: 'broken', fault: 'tamper-220' },
        { from: 'broken', to: 'injectable', fault: 'inject-response' },
      ],
    },
  },
  {
    name: 'TLS-terminating and handshake-killing links (intercept, kill-handshake, stall)',
    input: {
      hops: [
        { id: 'x', outbound: { tls: 'opportunistic', fallback: 'never', retry: ['1m'] } },
        { id: 'y', inbound: { starttls: 'require' }, outbound: { tls: 'opportunistic', timeout: '1s' } },
        { id: 'z', inbound: { starttls: 'break-handshake', how: 'stall' } },
      ],
      links: [
        { from: 'client', to: 'x', fault: 'intercept' },
        { from: 'x', to: 'y', fault: 'kill-handshake', how: 'alert', attempts: [1] },
        { from: 'y', to: 'z', fault: 'stall', attempts: [1] },
      ],
    },
  },
];

/** 'settled' when `work` settles within `ms`, else 'still pending' (a real-time bound on a hang, not a sleep). */
function settledWithin(work: Promise<unknown>, ms: number): Promise<'settled' | 'still pending'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'still pending'>((resolve) => (timer = setTimeout(() => resolve('still pending'), ms)));
  return Promise.race([work.then(() => 'settled' as const), limit]).finally(() => clearTimeout(timer));
}

describe('fuzzing a running chain', () => {
  const crashes: Error[] = [];
  const warnings: Error[] = [];
  const onCrash = (err: Error) => crashes.push(err);
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => {
    crashes.length = 0;
    warnings.length = 0;
    process.on('uncaughtExceptionMonitor', onCrash);
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('uncaughtExceptionMonitor', onCrash);
    process.off('warning', onWarning);
  });

  it.each(CHAINS)('$name: no crash, SMTP replies only, fresh sessions served, real mail delivered once', async ({ input }) => {
    const scenario = Scenario.parse({ name: 'fuzzed', messages: [message(0)], ...input });
    const chain = await startChain(scenario);
    const stopped = () => settledWithin(chain.stop(), 5_000);
    try {
      const hello = await clientHello();
      const cases: FuzzCase[] = [...adversarialCases(hello), ...Array.from({ length: RUNS }, (_, i) => randomCase(SEED * 1000 + i, hello))];
      const targets = chain.hops.flatMap((h) => [
        { name: `${h.id} proxy`, address: h.proxy },
        { name: `${h.id} server`, address: h.server },
      ]);
      const work = targets.flatMap((target) => cases.map((fuzzCase) => ({ target, fuzzCase })));

      // Real mail crosses the chain while it is being fuzzed: before, in the middle, near the end.
      const sent: string[] = [];
      const milestones = new Set([0, Math.floor(work.length / 2), work.length - 5]);
      const problems: string[] = [];
      await inPool(work, 8, async ({ target, fuzzCase }, i) => {
        if (milestones.has(i)) sent.push(await chain.send(message(i)));
        // While a client refuses to read, the same listener must still serve someone else.
        const hold = fuzzCase.end === 'never-read' ? freshSession(target.address) : undefined;
        const outcome = await throwCase(target.address, fuzzCase, { hold }).catch((err: Error) => ({ case: fuzzCase.name, invalid: [err.message], lines: [], closed: 'fin' as const }));
        await hold?.catch((err: Error) => problems.push(`${target.name}, during "${fuzzCase.name}": ${err.message}`));
        for (const bad of outcome.invalid) problems.push(`${target.name}, "${fuzzCase.name}" (seed ${SEED}): ${bad}`);
      });

      expect(problems).toEqual([]);
      for (const target of targets) await freshSession(target.address);
      expect(await chain.settle()).toBe('done');
      expect(chain.mailbox().map((m) => m.id).sort()).toEqual([...sent].sort());
      const report = chain.report();
      expect(report.messages.map((m) => [m.messageId, m.outcome]).sort()).toEqual(sent.map((id) => [id, 'delivered']).sort());
      expect(checkAccounting(chain.events(), [], scenario.hops.at(-1)!.id)).toEqual([]);
      // Stopping frees everything: a connection that never finishes would hang stop() (and `mailhop run`) forever.
      expect(await stopped()).toBe('settled');
      expect(crashes).toEqual([]);
      // A listener leak under backpressure shows as MaxListenersExceededWarning long before memory does.
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      await stopped();
    }
  }, 120_000);
});
