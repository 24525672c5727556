/**
 * Fallback memory, measured: two messages to one destination whose TLS handshake fails (the next hop answers the
 * ClientHello with a handshake_failure alert). What crosses the wire for message 2 shows what each real product
 * remembers of the failure it met with message 1 (docs/behaviour.md#B-fallback-memory):
 * - Postfix 3.7: nothing across messages. Each message has its own failed attempts, then its own plaintext connection.
 * - Exim 4.96: nothing across messages. Each message: STARTTLS, failed handshake, a new plaintext connection.
 * - Sendmail 8.17: the destination, for one queue run. Each message is tried once on arrival (its own delivery
 *   process); in the queue run after, message 1 connects and fails, and message 2 is deferred without a connection.
 * - OpenSMTPD 6.8: the open session. One failed handshake, then one plaintext session that carries both messages.
 */
import { describe, expect, it } from 'vitest';
import type { DeferredEvent, EngineEvent, SessionEvent } from '../../harness/trace/events.js';
import { availability, titled, type EngineRun } from '../support/engine.js';
import { crossed, twoMessages } from '../support/two-messages.js';

const factsOf = (run: EngineRun, fact: EngineEvent['fact'], id: string) => run.facts(fact).filter((f) => f.messageId === id).length;

describe.skipIf(!availability('postfix').usable)(titled('fallback memory of a real Postfix', 'postfix'), () => {
  it('remembers per message: message 2 meets its own failed handshakes, then goes plaintext on a connection of its own', async () => {
    const run = await twoMessages({ engine: 'postfix' });
    const wire = crossed(run);
    expect(wire.filter((w) => w.startsWith('plain')).sort()).toEqual(['plain m1', 'plain m2']);
    // Postfix falls back only once the message is 300 s old (smtp.h), so each message failed at least twice first.
    expect(wire.filter((w) => w === 'STARTTLS failed').length).toBeGreaterThanOrEqual(4);
    expect(['m1', 'm2'].map((id) => factsOf(run, 'tls-failed', id) >= 2)).toEqual([true, true]);
    expect(run.report.messages.map((m) => m.outcome)).toEqual(['delivered', 'delivered']);
  }, 120_000);

  it('the postfix preset does the same: message 2 fails on its own attempts, then its own plaintext connection', async () => {
    const run = await twoMessages({ preset: 'postfix' });
    const wire = crossed(run);
    expect(wire.filter((w) => w.startsWith('plain')).sort()).toEqual(['plain m1', 'plain m2']);
    expect(wire.filter((w) => w === 'STARTTLS failed').length).toBeGreaterThanOrEqual(4);
    expect(run.report.messages.map((m) => m.outcome)).toEqual(['delivered', 'delivered']);
  });
});

describe.skipIf(!availability('exim').usable)(titled('fallback memory of a real Exim', 'exim'), () => {
  it('remembers per attempt: message 2 tries STARTTLS, fails and reconnects in clear, as message 1 did', async () => {
    const run = await twoMessages({ engine: 'exim' });
    expect(crossed(run).sort()).toEqual(['STARTTLS failed', 'STARTTLS failed', 'plain m1', 'plain m2']);
    expect(['m1', 'm2'].map((id) => [factsOf(run, 'tls-failed', id), factsOf(run, 'plaintext-fallback', id)])).toEqual([[1, 1], [1, 1]]);
  }, 120_000);

  it('the exim preset does the same: each message STARTTLS, failed, then a plaintext connection of its own', async () => {
    const run = await twoMessages({ preset: 'exim' });
    expect(crossed(run).sort()).toEqual(['STARTTLS failed', 'STARTTLS failed', 'plain m1', 'plain m2']);
  });
});

describe.skipIf(!availability('sendmail').usable)(titled('fallback memory of a real Sendmail', 'sendmail'), () => {
  it('remembers per destination within a queue run: the message a run takes second is deferred without a connection', async () => {
    const run = await twoMessages({ engine: 'sendmail' });
    const wire = crossed(run);
    // Never plaintext (no TLSFallbacktoClear); every connection is one failed handshake the log names.
    expect(wire.every((w) => w === 'STARTTLS failed')).toBe(true);
    expect(wire.length).toBe(run.facts('tls-failed').length);
    // Per sendmail process (the pid in its log lines): on arrival each message has its own process, which connects
    // and fails; a queue run takes both, connects once for whichever it takes first, and defers the other without
    // a connection (which comes first differs from run to run).
    const processes = new Map<string, EngineEvent[]>();
    for (const f of run.facts()) {
      const pid = /sendmail\[(\d+)\]/.exec(f.line)?.[1] ?? '?';
      processes.set(pid, [...(processes.get(pid) ?? []), f]);
    }
    expectQueueRuns([...processes.values()].map((fs) => ({
      connected: fs.filter((f) => f.fact === 'tls-failed').length,
      deferred: fs.filter((f) => f.fact === 'deferred').map((f) => f.messageId!),
    })));
    expect(run.report.messages.map((m) => m.outcome)).toEqual(['deferred', 'deferred']);
  }, 120_000);

  it('the sendmail preset does the same on the virtual clock: a queue run is the retries of one instant', async () => {
    const run = await twoMessages({ preset: 'sendmail' });
    expect(crossed(run).every((w) => w === 'STARTTLS failed')).toBe(true);
    const sessions = run.events.filter((e): e is SessionEvent => e.kind === 'session' && e.link === 'relay->mx');
    const deferrals = run.events.filter((e): e is DeferredEvent => e.kind === 'deferred' && e.link === 'relay->mx');
    // First attempts are each message's own (as on arrival); each later instant is one queue run.
    const arrivals = ['m1', 'm2'].map((id) => ({ connected: sessions.filter((s) => s.messageId === id && s.attempt === 1).length, deferred: [id] }));
    const instants = [...new Set(deferrals.filter((d) => d.attempt > 1).map((d) => d.at))];
    expectQueueRuns([...arrivals, ...instants.map((at) => ({
      connected: sessions.filter((s) => s.at === at).length,
      deferred: deferrals.filter((d) => d.at === at).map((d) => d.messageId),
    }))]);
    expect(run.report.messages.map((m) => m.outcome)).toEqual(['deferred', 'deferred']);
  });
});

/** Each message connected on its own once (on arrival); every queue run after connected once and deferred both. */
function expectQueueRuns(runs: Array<{ connected: number; deferred: string[] }>): void {
  const shown = runs.map((r) => ({ connected: r.connected, deferred: [...r.deferred].sort().join(',') }));
  expect(shown.filter((r) => r.deferred !== 'm1,m2').sort((a, b) => a.deferred.localeCompare(b.deferred))).toEqual([{ connected: 1, deferred: 'm1' }, { connected: 1, deferred: 'm2' }]);
  const queueRuns = shown.filter((r) => r.deferred === 'm1,m2');
  expect(queueRuns.length).toBeGreaterThanOrEqual(1);
  expect(queueRuns.every((r) => r.connected === 1)).toBe(true);
}

describe.skipIf(!availability('opensmtpd').usable)(titled('fallback memory of a real OpenSMTPD', 'opensmtpd'), () => {
  it('remembers per session: one failed handshake, then both messages ride one plaintext session', async () => {
    const run = await twoMessages({ engine: 'opensmtpd' });
    expect(crossed(run)).toEqual(['STARTTLS failed', 'plain m1,m2']);
    expect(run.report.messages.map((m) => m.outcome)).toEqual(['delivered', 'delivered']);
  }, 120_000);

  it('the opensmtpd preset does the same: message 2 rides the plaintext session, no STARTTLS of its own', async () => {
    const run = await twoMessages({ preset: 'opensmtpd' });
    expect(crossed(run)).toEqual(['STARTTLS failed', 'plain m1,m2']);
    expect(run.report.messages.map((m) => m.outcome)).toEqual(['delivered', 'delivered']);
  });
});
