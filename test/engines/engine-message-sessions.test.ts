/**
 * Several messages in flight through a real Exim at once: each message's SMTP session count on Exim's outbound
 * link is the connections the wire saw for it, and together they are the link's count. Connections whose content
 * crossed inside TLS are tied by the port the receiver accepted on (a hop behind a front included); a failed
 * handshake, which carries no message, by the message Exim's log names for it.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../harness/trace/events.js';
import { availability, runScenario, titled } from '../support/engine.js';

const THREE = ['b', 'c', 'd'].map((r) => ({ from: 'alice@org.test', to: [`${r}@partner.test`] }));

describe.skipIf(!availability('exim').usable)(titled('a real Exim relaying three messages at once', 'exim'), () => {
  it('to a hop whose handshake fails: each message had a failed handshake and a plaintext reconnect, 2 sessions each', async () => {
    const run = await runScenario({
      hops: [{ id: 'relay', engine: 'exim' }, { id: 'mx', inbound: { starttls: 'break-handshake', how: 'alert' } }],
      messages: THREE,
    });
    const wires = run.events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === 'relay->mx').map((e) => e.record);
    // What crossed: per message one plaintext connection with its id, and three failed handshakes that carry none.
    expect(wires.filter((w) => w.handshake === 'failed' && w.plaintextMessageIds.length === 0)).toHaveLength(3);
    const perMessage = run.report.messages.map((m) => {
      const link = m.links.find((l) => l.link === 'relay->mx')!;
      return { id: m.messageId, verdict: link.verdict, sessions: link.sessions, inClear: wires.filter((w) => w.plaintextMessageIds.includes(m.messageId)).length, untied: link.notes.some((n) => /could not be tied/.test(n)) };
    });
    expect(perMessage).toEqual(['m1', 'm2', 'm3'].map((id) => ({ id, verdict: 'downgraded', sessions: 2, inClear: 1, untied: false })));
    const linkRow = run.report.links.find((l) => l.link === 'relay->mx')!;
    expect(linkRow.attempts).toBe(wires.length);
    expect(perMessage.reduce((sum, m) => sum + m.sessions, 0)).toBe(wires.length);
  }, 60_000);

  it('over TLS into a hop behind a front (vulnerable-injection): one session each, tied by the port the hop accepted on', async () => {
    const run = await runScenario({
      hops: [{ id: 'relay', engine: 'exim' }, { id: 'mx', inbound: { starttls: 'vulnerable-injection' } }],
      messages: THREE,
    });
    const wires = run.events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === 'relay->mx').map((e) => e.record);
    expect(wires.every((w) => w.handshake === 'established' && w.plaintextMessageIds.length === 0)).toBe(true);
    const perMessage = run.report.messages.map((m) => {
      const link = m.links.find((l) => l.link === 'relay->mx')!;
      return { id: m.messageId, verdict: link.verdict, sessions: link.sessions };
    });
    expect(perMessage).toEqual(['m1', 'm2', 'm3'].map((id) => ({ id, verdict: 'tls', sessions: 1 })));
    expect(perMessage.reduce((sum, m) => sum + m.sessions, 0)).toBe(wires.length);
  }, 60_000);
});
