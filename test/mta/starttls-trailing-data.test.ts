import { describe, expect, it } from 'vitest';
import { runInline, verbs, type InlineRun } from '../support/chain.js';
import type { WireRecord } from '../../harness/link/wire-record.js';

// `outbound.starttlsTrailingData` (docs/behaviour.md#A-inject-response): an on-path attacker appends reply lines to
// the next hop's 220 to STARTTLS, in the same segment; what mailhop's client does with them, as it crossed the wire.

const LINK = 'client->mx';
const INJECTED = ['250-evil.mailhop.test', '250 AUTH PLAIN'];
/** `250-evil.mailhop.test` CRLF `250 AUTH PLAIN` CRLF. */
const INJECTED_OCTETS = 39;
const TRAILING = `${INJECTED_OCTETS} octets after the 220 to STARTTLS, before the handshake`;
/** What the client sent before giving up without a handshake: EHLO and STARTTLS, nothing after. */
const EHLO_AND_STARTTLS = Buffer.byteLength('EHLO client.mailhop.test\r\nSTARTTLS\r\n');

/**
 * The wire's reading of a handshake the client completes and closes at once: `failed` (closed by client) when the close
 * reaches the link before the server's first TLS 1.3 session ticket, as it nearly always does; `established` otherwise.
 */
const HANDSHAKE_THEN_CLOSE = expect.stringMatching(/^(failed|established)$/);

/** The client submits to `mx` under `submit`, through a link that injects the lines (on `attempts`, else every one). */
function attack(submit: object, attempts?: number[]): Promise<InlineRun> {
  return runInline({
    runFor: '1h',
    submit: { retry: ['5m'], ...submit },
    hops: [{ id: 'mx' }],
    links: [{ from: 'client', to: 'mx', fault: 'inject-response', lines: INJECTED, ...(attempts ? { attempts } : {}) }],
  });
}

/** Per session: attempt, connection, virtual ms, result. */
const sessionsOf = (run: InlineRun) => run.sessions(LINK).map((s) => [s.attempt, s.connection, s.at, s.result]);
/** Per connection: the plaintext verbs, the handshake, whether content crossed in clear. */
const wireOf = (run: InlineRun) => run.wire(LINK).map((w: WireRecord) => [verbs(w).join(' '), w.handshake, w.plaintextData]);

describe('bytes that trail the 220 to STARTTLS', () => {
  it('discard (default): forgotten (RFC 3207 §4.2); the message goes over TLS on the same connection', async () => {
    const run = await attack({ tls: 'opportunistic' });
    expect(wireOf(run)).toEqual([['EHLO STARTTLS', 'established', false]]);
    const [session] = run.sessions(LINK);
    expect(session).toMatchObject({ result: 'relayed', tls: { version: 'TLSv1.3' } });
    expect(session.tlsFailure).toBeUndefined();
    expect(run.mailbox[0].raw.toString()).toMatch(/with ESMTPS id/);
    expect(run.report.links[0].verdict).toBe('tls');
  });

  it('handshake-failure, opportunistic: TLS given up after the handshake, no QUIT; a new connection delivers in clear', async () => {
    const run = await attack({ tls: 'opportunistic', starttlsTrailingData: 'handshake-failure' });
    // The first connection: a handshake (the witness saw the ServerHello), then the client closed; no command after STARTTLS.
    expect(wireOf(run)).toEqual([
      ['EHLO STARTTLS', HANDSHAKE_THEN_CLOSE, false],
      ['EHLO MAIL RCPT DATA QUIT', 'none', true],
    ]);
    expect(run.wire(LINK)[0]).toMatchObject({ closedBy: 'client', tls: { version: 'TLSv1.3' } });
    expect(sessionsOf(run)).toEqual([[1, 1, 0, 'fallback'], [1, 2, 0, 'relayed']]);
    const [first] = run.sessions(LINK);
    expect(first.tls).toBeNull();
    expect(first.tlsFailure).toEqual({ type: 'handshake-failure', detail: TRAILING });
    expect(first.reply.text).toBe('451 4.7.5 Cannot start TLS: the server sent data after its 220 to STARTTLS, before the TLS handshake; retrying without STARTTLS');
    expect(run.mailbox[0].raw.toString()).not.toMatch(/ESMTPS/);
    // The fault made the client give TLS up: the plaintext reconnect is its doing.
    expect(run.report.links[0].verdict).toBe('stripped');
  });

  it('handshake-failure, mandatory: deferred, never in clear; the retry without the fault goes over TLS', async () => {
    const run = await attack({ tls: 'mandatory', starttlsTrailingData: 'handshake-failure' }, [1]);
    expect(wireOf(run)).toEqual([
      ['EHLO STARTTLS', HANDSHAKE_THEN_CLOSE, false],
      ['EHLO STARTTLS', 'established', false],
    ]);
    expect(sessionsOf(run)).toEqual([[1, 1, 0, 'deferred'], [2, 1, 300_000, 'relayed']]);
    expect(run.sessions(LINK)[0].reply.text).toBe('451 4.7.5 Cannot start TLS: the server sent data after its 220 to STARTTLS, before the TLS handshake');
  });

  it('defer: the connection dropped before any ClientHello and without QUIT; deferred, retried over TLS', async () => {
    const run = await attack({ tls: 'opportunistic', starttlsTrailingData: 'defer' }, [1]);
    expect(wireOf(run)).toEqual([
      ['EHLO STARTTLS', 'none', false],
      ['EHLO STARTTLS', 'established', false],
    ]);
    expect(run.wire(LINK)[0]).toMatchObject({ closedBy: 'client', bytes: { fromClient: EHLO_AND_STARTTLS } });
    expect(sessionsOf(run)).toEqual([[1, 1, 0, 'deferred'], [2, 1, 300_000, 'relayed']]);
    expect(run.sessions(LINK)[0]).toMatchObject({ tls: null, tlsFailure: { type: 'handshake-failure', detail: TRAILING } });
    expect(run.mailbox).toHaveLength(1);
    expect(run.mailbox[0].at).toBe(300_000);
    expect(run.report.links[0].verdict).toBe('tls');
  });

  it('keep (vulnerable): the injected lines are read as the reply to EHLO inside TLS; the client runs a reply behind and defers; a failure', async () => {
    const run = await attack({ tls: 'opportunistic', starttlsTrailingData: 'keep' }, [1]);
    // TLS on both connections: the attack changed no byte of what crossed encrypted, only what the client believed.
    expect(wireOf(run)).toEqual([
      ['EHLO STARTTLS', 'established', false],
      ['EHLO STARTTLS', 'established', false],
    ]);
    const [first, second] = run.sessions(LINK);
    expect(first.preTlsReplies).toEqual([{ command: 'EHLO', reply: '250-evil.mailhop.test / 250 AUTH PLAIN' }]);
    // What the client read inside TLS: the attacker's lines as its EHLO reply, then each real reply one command late.
    const inside = first.transcript.slice(first.transcript.findIndex((t) => t.text.startsWith('TLS established')) + 1);
    expect(inside.map((t) => `${t.dir}: ${t.text}`).slice(0, 4)).toEqual(['C: EHLO client.mailhop.test', 'S: 250-evil.mailhop.test', 'S: 250 AUTH PLAIN', 'C: MAIL FROM:<alice@org.test>']);
    expect(first).toMatchObject({ result: 'deferred', reply: { code: 250 }, contentSent: null });
    expect(second.preTlsReplies).toBeUndefined();
    expect(sessionsOf(run)).toEqual([[1, 1, 0, 'deferred'], [2, 1, 300_000, 'relayed']]);
    expect(run.report.links[0].verdict).toBe('tls');
    expect(run.report.failures).toEqual([
      'm1 on client->mx: injected response accepted as post-TLS reply (RFC 3207 §4.2, CVE-2011-0411 class): attempt 1: read ' +
        '"250-evil.mailhop.test / 250 AUTH PLAIN" as the reply to EHLO inside TLS; inject-response on the link sent it in clear before the handshake',
    ]);
    expect(run.report.passed).toBe(false);
  });

  it('discard, the same attack: nothing believed, no failure', async () => {
    const run = await attack({ tls: 'opportunistic', starttlsTrailingData: 'discard' }, [1]);
    expect(run.sessions(LINK).map((s) => s.preTlsReplies)).toEqual([undefined]);
    expect(run.report.failures).toEqual([]);
  });

  it('handshake-failure, defer or keep with an honest next hop (nothing trailing): an ordinary TLS session', async () => {
    for (const starttlsTrailingData of ['handshake-failure', 'defer', 'keep']) {
      const run = await runInline({ submit: { tls: 'opportunistic', starttlsTrailingData }, hops: [{ id: 'mx' }] });
      expect(wireOf(run), starttlsTrailingData).toEqual([['EHLO STARTTLS', 'established', false]]);
      expect(run.report.links[0].verdict).toBe('tls');
      expect(run.report.failures, starttlsTrailingData).toEqual([]);
    }
  });
});
