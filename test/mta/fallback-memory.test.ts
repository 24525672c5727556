/**
 * `outbound.fallbackMemory` on the wire (docs/behaviour.md#B-fallback-memory): two messages from a mock relay to a
 * next hop whose handshake fails (a handshake_failure alert), and what crossed for message 2.
 */
import { describe, expect, it } from 'vitest';
import { runInline, verbs, type InlineRun } from '../support/chain.js';
import type { DeferredEvent } from '../../harness/trace/events.js';

const ALERT = { starttls: 'break-handshake', how: 'alert' } as const;
const TWO = ['m-one', 'm-two'].map((subject) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject }));

function twoMessages(outbound: Record<string, unknown>): Promise<InlineRun> {
  return runInline({ runFor: '1h', hops: [{ id: 'relay', outbound: { tls: 'opportunistic', ...outbound } }, { id: 'mx', inbound: ALERT }], messages: TWO });
}

/** Per connection on relay->mx: the sender's virtual time and what crossed (`STARTTLS failed`, `plain m1`). */
function crossed(run: InlineRun): Array<[number, string]> {
  const sessions = run.sessions('relay->mx');
  return run.wire('relay->mx').map((w) => {
    const at = sessions.find((s) => s.localPort === w.clientPort)!.at;
    return [at, w.starttlsSent ? `STARTTLS ${w.handshake}` : `plain ${[...w.plaintextMessageIds].sort().join(',')}`];
  });
}

const deferrals = (run: InlineRun) => run.events.filter((e): e is DeferredEvent => e.kind === 'deferred' && e.link === 'relay->mx');

describe('outbound.fallbackMemory', () => {
  it('message (default), fallback reconnect: message 2 tries STARTTLS again and reconnects in clear on its own', async () => {
    const run = await twoMessages({ fallback: 'reconnect' });
    expect(crossed(run).map(([, what]) => what).sort()).toEqual(['STARTTLS failed', 'STARTTLS failed', 'plain m1', 'plain m2']);
    expect(run.report.messages.map((m) => m.links.find((l) => l.link === 'relay->mx')!.verdict)).toEqual(['downgraded', 'downgraded']);
  });

  it('message, fallback never: every retry of each message connects and fails on its own', async () => {
    const run = await twoMessages({ fallback: 'never' });
    // Retries at 5, 15 and 35 minutes (the default schedule; 75 is past runFor): 4 attempts each.
    const at = crossed(run).map(([t, what]) => [t / 60_000, what]);
    expect(at).toEqual([0, 0, 5, 5, 15, 15, 35, 35].map((m) => [m, 'STARTTLS failed']));
  });

  it('destination-run: each message connects on arrival; in each later run one connects, the other is deferred unconnected', async () => {
    const run = await twoMessages({ fallback: 'never', fallbackMemory: 'destination-run' });
    const at = crossed(run).map(([t, what]) => [t / 60_000, what]);
    expect(at).toEqual([0, 0, 5, 15, 35].map((m) => [m, 'STARTTLS failed']));
    // Both messages were deferred in every run, the one not connected with the failure the run met.
    const byMinute = new Map<number, string[]>();
    for (const d of deferrals(run)) byMinute.set(d.at / 60_000, [...(byMinute.get(d.at / 60_000) ?? []), `${d.messageId} ${d.reply.code}`]);
    expect([...byMinute].map(([m, ids]) => [m, ids.sort()])).toEqual([0, 5, 15, 35].map((m) => [m, ['m1 451', 'm2 451']]));
    expect(run.report.messages.map((m) => m.outcome)).toEqual(['deferred', 'deferred']);
  });

  it('destination-run forgets the failure in the next run: with fallback next-attempt both go plaintext at 5 minutes', async () => {
    const run = await twoMessages({ fallback: 'next-attempt', fallbackAfter: '5m', fallbackMemory: 'destination-run' });
    // At 5 minutes the first retry fails its handshake and reconnects in clear: no failure marks the run, so the second goes too.
    expect(crossed(run).map(([t, what]) => [t / 60_000, what])).toEqual([[0, 'STARTTLS failed'], [0, 'STARTTLS failed'], [5, 'STARTTLS failed'], [5, 'plain m1'], [5, 'STARTTLS failed'], [5, 'plain m2']]);
    expect(verbs(run.wire('relay->mx')[3])).toContain('MAIL');
  });
});

describe('outbound.fallbackMemory: session', () => {
  it('message 2 rides the plaintext session message 1 fell back to: no connection and no STARTTLS of its own', async () => {
    const run = await twoMessages({ fallback: 'reconnect', fallbackMemory: 'session', concurrencyLimit: 1 });
    expect(crossed(run).map(([, what]) => what)).toEqual(['STARTTLS failed', 'plain m1,m2']);
    const [, plain] = run.wire('relay->mx');
    expect(verbs(plain)).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    // Each message has its own session event on the one connection; message 2's transcript is its own transaction.
    const sessions = run.sessions('relay->mx').map((s) => [s.messageId, s.connection, s.localPort === plain.clientPort, s.starttlsSent, s.result]);
    expect(sessions).toEqual([['m1', 1, false, true, 'fallback'], ['m1', 2, true, false, 'relayed'], ['m2', 1, true, false, 'relayed']]);
    expect(run.sessions('relay->mx')[2].transcript[0].text).toBe('MAIL FROM:<alice@org.test>');
    expect(run.mailbox.map((m) => m.id).sort()).toEqual(['m1', 'm2']);
    expect(run.report.messages.map((m) => [m.outcome, m.links.find((l) => l.link === 'relay->mx')!.verdict])).toEqual([['delivered', 'downgraded'], ['delivered', 'downgraded']]);
  });

  it('a session kept with nothing waiting is closed with QUIT at once', async () => {
    const run = await twoMessages({ fallback: 'reconnect', fallbackMemory: 'session' });
    // Both attempts start together (concurrencyLimit 20): each has its own failed handshake and plaintext session.
    expect(crossed(run).map(([, what]) => what).sort()).toEqual(['STARTTLS failed', 'STARTTLS failed', 'plain m1', 'plain m2']);
    expect(run.wire('relay->mx').filter((w) => !w.starttlsSent).every((w) => verbs(w).at(-1) === 'QUIT')).toBe(true);
  });
});
