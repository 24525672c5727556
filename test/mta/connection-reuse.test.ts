/**
 * `outbound.reuse` on the wire (docs/behaviour.md#B-reuse): two messages from a mock relay to one next hop, sent one
 * at a time (concurrencyLimit 1), and which connections carried them.
 */
import { describe, expect, it } from 'vitest';
import { runInline, runRecords, verbs, type InlineRun } from '../support/chain.js';
import { loadScenarios } from '../../harness/scenario/load-scenario.js';

const TWO = ['m-one', 'm-two'].map((subject) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject }));

function twoMessages(reuse: string, mx: Record<string, unknown> = {}): Promise<InlineRun> {
  return runInline({ hops: [{ id: 'relay', outbound: { tls: 'opportunistic', reuse, concurrencyLimit: 1 } }, { id: 'mx', ...mx }], messages: TWO });
}

/** Per message: outcome and verdict on relay->mx. */
const verdicts = (run: InlineRun) => run.report.messages.map((m) => [m.messageId, m.outcome, m.links.find((l) => l.link === 'relay->mx')!.verdict]);

describe('outbound.reuse', () => {
  it('all: one TCP connection with one STARTTLS carries both messages, each judged tls', async () => {
    const run = await twoMessages('all');
    const wire = run.wire('relay->mx');
    expect(wire).toHaveLength(1);
    expect(wire[0].handshake).toBe('established');
    expect(verbs(wire[0])).toEqual(['EHLO', 'STARTTLS']);
    // Both transactions went inside TLS: the session events on the one connection show them, the second after the first.
    const sessions = run.sessions('relay->mx');
    expect(sessions.map((s) => [s.messageId, s.localPort === wire[0].clientPort, s.starttlsSent, s.tls?.version, s.contentSent, s.sharedSession])).toEqual([
      ['m1', true, true, 'TLSv1.3', { encrypted: true }, undefined],
      ['m2', true, true, 'TLSv1.3', { encrypted: true }, { transaction: 2, after: ['m1'] }],
    ]);
    // Message 2's own part of the transcript is its transaction alone: no greeting, EHLO or STARTTLS of its own.
    expect(sessions[1].transcript.filter((l) => l.dir === 'C').map((l) => l.text.split(/[ :]/)[0])).toEqual(['MAIL', 'RCPT', 'DATA', '[message', '.']);
    expect(run.mailbox.map((m) => m.id).sort()).toEqual(['m1', 'm2']);
    expect(verdicts(run)).toEqual([['m1', 'delivered', 'tls'], ['m2', 'delivered', 'tls']]);
    expect(run.report.messages[1].links.find((l) => l.link === 'relay->mx')!.notes).toContain('attempt 1: transaction 2 of a shared session, after m1');
    // The link opened one SMTP session, as its wire saw one connection (not one per transaction).
    expect(run.report.links.find((l) => l.link === 'relay->mx')?.attempts).toBe(1);
  });

  it('plaintext after a 454 to STARTTLS: both messages on one plaintext session, both downgraded', async () => {
    const run = await twoMessages('plaintext', { inbound: { starttls: 'fake-454' } });
    const wire = run.wire('relay->mx');
    expect(wire).toHaveLength(1);
    expect(verbs(wire[0])).toEqual(['EHLO', 'STARTTLS', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect([...wire[0].plaintextMessageIds].sort()).toEqual(['m1', 'm2']);
    expect(verdicts(run)).toEqual([['m1', 'delivered', 'downgraded'], ['m2', 'delivered', 'downgraded']]);
  });

  it('plaintext keeps no TLS session: each message opens its own connection and STARTTLS', async () => {
    const run = await twoMessages('plaintext');
    expect(run.wire('relay->mx').map((w) => [verbs(w), w.handshake])).toEqual([[['EHLO', 'STARTTLS'], 'established'], [['EHLO', 'STARTTLS'], 'established']]);
    expect(verdicts(run)).toEqual([['m1', 'delivered', 'tls'], ['m2', 'delivered', 'tls']]);
  });

  it('none (default): two connections, each ended with QUIT, as without the key', async () => {
    const run = await runInline({ hops: [{ id: 'relay', outbound: { tls: 'opportunistic', concurrencyLimit: 1 } }, { id: 'mx', inbound: { starttls: 'fake-454' } }], messages: TWO });
    const wire = run.wire('relay->mx');
    expect(wire.map((w) => [verbs(w), [...w.plaintextMessageIds]])).toEqual([
      [['EHLO', 'STARTTLS', 'MAIL', 'RCPT', 'DATA', 'QUIT'], ['m1']],
      [['EHLO', 'STARTTLS', 'MAIL', 'RCPT', 'DATA', 'QUIT'], ['m2']],
    ]);
    expect(verdicts(run)).toEqual([['m1', 'delivered', 'downgraded'], ['m2', 'delivered', 'downgraded']]);
  });

  it('the scenarios in scenarios/reuse pass', async () => {
    const records = await runRecords(await loadScenarios(['scenarios/reuse']));
    expect(records.map((r) => [r.report.name, r.report.passed, r.report.failures])).toEqual([
      ['downgrade-carries-to-the-next-message', true, []],
      ['resumed-session-keeps-wrong-host', true, []],
      ['second-connection-resumes-tls', true, []],
      ['two-messages-one-tls-session', true, []],
    ]);
  });
});

describe('fallbackMemory: session as one use of reuse', () => {
  it('both messages on the kept plaintext session are weighed against its one wire record', async () => {
    const run = await runInline({
      runFor: '1h',
      hops: [{ id: 'relay', outbound: { tls: 'opportunistic', fallbackMemory: 'session', concurrencyLimit: 1 } }, { id: 'mx', inbound: { starttls: 'break-handshake', how: 'alert' } }],
      messages: TWO,
    });
    const links = run.report.messages.map((m) => m.links.find((l) => l.link === 'relay->mx')!);
    expect(links.map((l) => [l.messageId, l.verdict, l.witnesses])).toEqual([
      ['m1', 'downgraded', { sender: 'plain', wire: 'plain', receiver: 'plain' }],
      ['m2', 'downgraded', { sender: 'plain', wire: 'plain', receiver: 'plain' }],
    ]);
    expect(links[1].notes).toContain('attempt 1: transaction 2 of a shared session, after m1');
  });
});
