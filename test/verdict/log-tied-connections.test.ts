/**
 * Tying a real engine's failed connections to messages by its log (log-tied-connections.ts): the k-th failed attempt
 * the log names gets the k-th untied connection, only when the counts agree.
 */
import { describe, expect, it } from 'vitest';
import { tieByLog } from '../../harness/verdict/log-tied-connections.js';
import type { EngineEvent } from '../../harness/trace/events.js';
import type { WireRecord } from '../../harness/link/wire-record.js';

const wire = (seq: number) => ({ id: `mta->next#${seq}`, link: 'mta->next', seq }) as WireRecord;
const fact = (f: EngineEvent['fact'], messageId?: string) =>
  ({ kind: 'engine', source: 'engine', hop: 'mta', engine: 'sendmail', fact: f, messageId, line: `${messageId}: ${f}` }) as EngineEvent;

describe('tieByLog', () => {
  it('ties each failed handshake and its deferral to one connection, in order', () => {
    const tied = tieByLog([wire(1), wire(2)], [fact('tls-failed', 'm1'), fact('deferred', 'm1'), fact('tls-failed', 'm2'), fact('deferred', 'm2')]);
    expect([...tied].map(([id, r]) => [id, r.map((x) => x.seq)])).toEqual([['m1', [1]], ['m2', [2]]]);
  });

  it("Sendmail's deferral without a connection (a host it just failed): the failed handshakes are still tied", () => {
    // Observed with Sendmail 8.17.1.9, two messages to a hop whose handshake fails: each message's own attempt
    // fails its handshake; the queue run connects for m1 and defers m2 with no STARTTLS line (no connection).
    const facts = [fact('tls-failed', 'm1'), fact('deferred', 'm1'), fact('tls-failed', 'm2'), fact('deferred', 'm2'), fact('tls-failed', 'm1'), fact('deferred', 'm1'), fact('deferred', 'm2')];
    const tied = tieByLog([wire(1), wire(2), wire(3)], facts);
    expect([...tied].map(([id, r]) => [id, r.map((x) => x.seq)])).toEqual([['m1', [1, 3]], ['m2', [2]]]);
  });

  it('ties nothing when the counts disagree either way, or a failure names no message', () => {
    expect(tieByLog([wire(1)], [fact('tls-failed', 'm1'), fact('tls-failed', 'm2')]).size).toBe(0);
    expect(tieByLog([wire(1), wire(2)], [fact('tls-failed'), fact('deferred', 'm1')]).size).toBe(0);
  });
});
