/**
 * Links a real engine sends on: the sender records no sessions, so each wire record is tied to a
 * message by what the receiver saw. With several messages over TLS no message id crosses in
 * clear; the proxy's own port towards the receiver (`WireRecord.upstreamPort`) equals the port the
 * receiver accepted each message from, so every message still gets its connection.
 */
import { describe, expect, it } from 'vitest';
import type { AcceptedEvent, WireEvent } from '../../harness/trace/events.js';
import { availability, runScenario, titled } from '../support/engine.js';

describe.skipIf(!availability('postfix').usable)(titled('a real Postfix relaying three messages over TLS', 'postfix'), () => {
  it('ties each message to the connection the receiver accepted it on: one session each, judged tls, nothing untied', async () => {
    const run = await runScenario({
      hops: [{ id: 'relay' }, { id: 'pf', engine: 'postfix' }, { id: 'mx' }],
      messages: ['b', 'c', 'd'].map((r) => ({ from: 'alice@org.test', to: [`${r}@partner.test`] })),
    });
    const wires = run.events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === 'pf->mx').map((e) => e.record);
    const accepted = run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === 'pf->mx');
    expect(accepted).toHaveLength(3);
    // What crossed: TLS, no message id in clear, and the proxy's upstream ports are the receiver's remote ports.
    // (Postfix may still hold its last connection open when the run ends: the report reads that record open.)
    expect(wires.length).toBeGreaterThan(0);
    expect(wires.every((w) => w.handshake === 'established' && w.plaintextMessageIds.length === 0)).toBe(true);
    for (const w of wires) expect(accepted.map((a) => a.remotePort)).toContain(w.upstreamPort);

    // The link's sessions column counts the connections the wire saw (finished ones, and one Postfix may still hold).
    const linkRow = run.report.links.find((l) => l.link === 'pf->mx')!;
    expect(linkRow.attempts).toBeGreaterThanOrEqual(wires.length);
    expect(linkRow.attempts).toBeLessThanOrEqual(wires.length + 1);
    for (const m of run.report.messages) {
      const link = m.links.find((l) => l.link === 'pf->mx')!;
      expect({ id: m.messageId, verdict: link.verdict, sessions: link.sessions, wire: link.witnesses.wire }).toEqual({ id: m.messageId, verdict: 'tls', sessions: 1, wire: 'tls' });
      expect(link.notes.join('\n')).not.toMatch(/could not be tied/);
    }
  }, 60_000);
});

describe.skipIf(!availability('exim').usable)(titled('a real Exim whose link to the mailbox is intercepted', 'exim'), () => {
  it('the interception is a disagreement on the link, as with a mock sender, and the connection is counted', async () => {
    const run = await runScenario({
      hops: [{ id: 'relay', engine: 'exim' }, { id: 'mailbox' }],
      links: [{ from: 'relay', to: 'mailbox', fault: 'intercept' }],
    });
    const link = run.report.messages[0].links.find((l) => l.link === 'relay->mailbox')!;
    expect(link.verdict).toBe('tls');
    expect(link.sessions).toBe(1);
    expect(link.disagreement).toMatch(/^the receiver saw a different TLS session from the sender's: intercept on the link ended relay's and opened its own to the receiver \(TLSv1\.3 [A-Z0-9_]+\); the content was in clear in between$/);
  }, 60_000);
});
