import { describe, expect, it } from 'vitest';
import { runInline } from '../support/chain.js';

// Several messages sent at once through mock hops: each message's session count on a link is the connections
// that carried it there, as the wire recorded them (each sender session pairs with its own wire record by the
// client's port), and the link's count is their sum. test/verdict/sessionless-sessions.test.ts and
// test/engines/engine-message-sessions.test.ts hold the same for a real engine's link.
const FIVE = ['b', 'c', 'd', 'e', 'f'].map((r) => ({ from: 'alice@org.test', to: [`${r}@partner.test`] }));

describe('sessions per message, five messages in flight through mock hops', () => {
  it.each([
    ['offer: one TLS session each', { starttls: 'offer' }, 1],
    ['fake-454: STARTTLS refused, the message goes on in the same session: one each', { starttls: 'fake-454' }, 1],
    ['break-handshake: a failed handshake, then a plaintext reconnect: two each', { starttls: 'break-handshake', how: 'alert' }, 2],
  ] as const)('%s', async (_name, inbound, each) => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { tls: 'opportunistic', fallback: 'reconnect' } }, { id: 'mx', inbound }],
      messages: FIVE,
    });
    expect(run.report.outcome).toBe('delivered');
    const wires = run.wire('relay->mx');
    const byClientPort = new Map(wires.map((w) => [w.clientPort, w]));
    for (const m of run.report.messages) {
      const link = m.links.find((l) => l.link === 'relay->mx')!;
      // The connections its sessions used, found on the wire; the last one carried its content.
      const carried = run.sessions('relay->mx').filter((s) => s.messageId === m.messageId).map((s) => byClientPort.get(s.localPort));
      expect({ id: m.messageId, sessions: link.sessions, onWire: carried.filter(Boolean).length }).toEqual({ id: m.messageId, sessions: each, onWire: each });
      if (inbound.starttls !== 'offer') expect(carried.at(-1)?.plaintextMessageIds).toEqual([m.messageId]);
    }
    const linkRow = run.report.links.find((l) => l.link === 'relay->mx')!;
    expect(linkRow.attempts).toBe(wires.length);
    expect(run.report.messages.reduce((sum, m) => sum + m.links.find((l) => l.link === 'relay->mx')!.sessions, 0)).toBe(wires.length);
  });
});
