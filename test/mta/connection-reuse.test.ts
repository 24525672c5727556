/**
 * `outbound.reuse` on the wire (docs/behaviour.md#B-reuse): two messages from a mock relay to one next hop, sent one
 * at a time (concurrencyLimit 1), and which connections carried them.
 */
import { describe, expect, it } from 'vitest';
import { runInline, runRecords, verbs, type InlineRun } from '../support/chain.js';
import { loadScenarios } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { AcceptedEvent, WireEvent } from '../../harness/trace/events.js';

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

describe('connectionCache: always', () => {
  const cached = (concurrencyLimit: number) => ({ tls: 'opportunistic', reuse: 'all', connectionCache: 'always', concurrencyLimit });
  const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject: `m${i + 1}` }));

  it('keeps the session open between messages while the chain is busy: three messages, one connection per link', async () => {
    // The client sends one message at a time on one session, over a link whose replies come 150 ms late, so the relay
    // has mostly delivered each message before the next arrives: its session to mx, with nothing queued, stays open for
    // the next all the same (on-demand ends it). The delay only makes that case likely; the result holds either way.
    const run = await runInline({
      submit: cached(1), hops: [{ id: 'relay', outbound: cached(1) }, { id: 'mx' }], messages: messages(3),
      links: [{ from: 'client', to: 'relay', fault: 'delay', ms: '150ms' }],
    });
    for (const link of ['client->relay', 'relay->mx']) {
      const wire = run.wire(link);
      expect(wire.map((w) => [verbs(w), w.handshake])).toEqual([[['EHLO', 'STARTTLS'], 'established']]);
      expect(run.sessions(link).map((s) => [s.messageId, s.localPort === wire[0].clientPort, s.sharedSession?.transaction ?? 1])).toEqual([
        ['m1', true, 1], ['m2', true, 2], ['m3', true, 3],
      ]);
    }
    // The receiver took all three on that one connection.
    const mxPort = run.wire('relay->mx')[0].upstreamPort;
    expect(run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === 'relay->mx').map((e) => [e.messageId, e.remotePort === mxPort])).toEqual([
      ['m1', true], ['m2', true], ['m3', true],
    ]);
    expect(verdicts(run)).toEqual([['m1', 'delivered', 'tls'], ['m2', 'delivered', 'tls'], ['m3', 'delivered', 'tls']]);
  });

  it('carries the messages of one next hop over several kept sessions at once, at most concurrencyLimit', async () => {
    const run = await runInline({ submit: cached(2), hops: [{ id: 'relay', outbound: cached(2) }, { id: 'mx' }], messages: messages(8) });
    for (const link of ['client->relay', 'relay->mx']) {
      const wire = run.wire(link);
      expect(wire.length).toBeLessThanOrEqual(2);
      const ports = new Set(wire.map((w) => w.clientPort));
      // Every message went on one of those connections, each judged on the session that carried it.
      expect(run.sessions(link).every((s) => ports.has(s.localPort))).toBe(true);
    }
    expect(run.sessions('relay->mx').map((s) => s.messageId).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    expect(run.mailbox).toHaveLength(8);
    expect(run.report.messages.every((m) => m.links.every((l) => l.verdict === 'tls'))).toBe(true);
  });

  it('ends a kept session with QUIT before virtual time moves on: sent apart, a connection each', async () => {
    const scenario = Scenario.parse({ name: 'apart', hops: [{ id: 'relay', outbound: cached(1) }, { id: 'mx', inbound: { starttls: 'none' } }], messages: messages(2) });
    await using chain = await startChain(scenario);
    for (const m of scenario.messages) {
      await chain.send(m);
      await chain.settle();
    }
    const wire = chain.events().filter((e): e is WireEvent => e.kind === 'wire' && e.link === 'relay->mx').map((e) => e.record).sort((a, b) => a.seq - b.seq);
    expect(wire.map((w) => [verbs(w), [...w.plaintextMessageIds]])).toEqual([
      [['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT'], ['m1']],
      [['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT'], ['m2']],
    ]);
  });
});

describe('reuseProbe: rset', () => {
  const probing = { tls: 'none', reuse: 'plaintext', connectionCache: 'always', reuseProbe: 'rset', concurrencyLimit: 1 };
  const three = ['m-one', 'm-two', 'm-three'].map((subject) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject }));

  it('sends RSET before each later transaction on the kept session, and runs it once answered 250', async () => {
    const run = await runInline({ hops: [{ id: 'relay', outbound: probing }, { id: 'mx', inbound: { starttls: 'none' } }], messages: three });
    const wire = run.wire('relay->mx');
    expect(wire.map(verbs)).toEqual([['EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'MAIL', 'RCPT', 'DATA', 'RSET', 'MAIL', 'RCPT', 'DATA', 'QUIT']]);
    // Each later message's own part of the transcript starts with the probe and its reply.
    const sessions = run.sessions('relay->mx');
    expect(sessions.map((s) => s.transcript.slice(0, 2).map((l) => `${l.dir} ${l.text.slice(0, 4).trim()}`))).toEqual([
      ['S 220', 'C EHLO'], ['C RSET', 'S 250'], ['C RSET', 'S 250'],
    ]);
    expect(verdicts(run)).toEqual([['m1', 'delivered', 'plain'], ['m2', 'delivered', 'plain'], ['m3', 'delivered', 'plain']]);
  });

  it('a kept session whose RSET fails is dropped without QUIT, and the message goes on a new connection', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: probing }, { id: 'mx', inbound: { starttls: 'none' } }], messages: three.slice(0, 2),
      links: [{ from: 'relay', to: 'mx', fault: 'reset', after: 'RSET' }],
    });
    const wire = run.wire('relay->mx');
    expect(wire.map(verbs)).toEqual([['EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET'], ['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']]);
    const sessions = run.sessions('relay->mx');
    expect(sessions.map((s) => [s.messageId, s.localPort === wire[sessions.indexOf(s)].clientPort, s.sharedSession, s.result])).toEqual([
      ['m1', true, undefined, 'relayed'], ['m2', true, undefined, 'relayed'],
    ]);
    expect(run.mailbox.map((m) => m.id).sort()).toEqual(['m1', 'm2']);
  });
});
