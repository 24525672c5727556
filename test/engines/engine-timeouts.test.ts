/**
 * `outbound.timeout` and `outbound.starttlsTimeout` on a real engine are written into the product's own time
 * limits (scenario/engine-support.ts, engines/postfix.ts and its siblings), so a stalled handshake costs seconds,
 * not the product's 300 s. A `stall` fault swallows the handshake after the 220 to STARTTLS; each engine gives up
 * on it and then does what the product does: Postfix defers and sends in plaintext on a later attempt, Exim
 * reconnects in clear at once, Sendmail reconnects in clear with TLSFallbacktoClear and otherwise defers. The
 * assertions are on what crossed the wire and what the engine logged, never on elapsed time: without the
 * setting, the engine is still waiting for the handshake when the run stops waiting for it (engineSettleMs).
 */
import { describe, expect, it } from 'vitest';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { availability, runScenario, summary, titled, type EngineRun } from '../support/engine.js';

/** A real engine `mta` relaying to a mock `next` through a link that stalls every TLS handshake. */
function stalled(engine: RealEngineName, outbound: Record<string, unknown>): Promise<EngineRun> {
  return runScenario({
    hops: [{ id: 'mta', engine, outbound }, { id: 'next' }] as never,
    links: [{ from: 'mta', to: 'next', fault: 'stall' }] as never,
  });
}

/**
 * Each connection on mta->next as the wire saw it: the plaintext verbs up to DATA (Sendmail keeps a connection
 * open for more mail, so its QUIT may come only as the chain stops), the handshake, and whether m1 crossed in clear.
 */
function connections(run: EngineRun): Array<{ verbs: string; handshake: string; clear: boolean }> {
  return run.wire('mta->next').map((w) => ({ verbs: w.commands.map((c) => c.verb).filter((v) => v !== 'QUIT').join(' '), handshake: w.handshake, clear: w.plaintextMessageIds.includes('m1') }));
}

/** How the link's report saw m1: its verdict, the connections the wire saw (closed or still open), and the witnesses. */
function linkOfM1(run: EngineRun) {
  const { verdict, sessions, witnesses } = run.report.messages[0].links.find((l) => l.link === 'mta->next')!;
  return { verdict, sessions, witnesses };
}

const STALLED = { verbs: 'EHLO STARTTLS', handshake: 'failed', clear: false };
const IN_CLEAR = { verbs: 'EHLO MAIL RCPT DATA', handshake: 'none', clear: true };

describe.skipIf(!availability('postfix').usable)(titled('postfix: starttlsTimeout is smtp_starttls_timeout', 'postfix'), () => {
  it('gives up on a stalled handshake, defers, and sends in plaintext on a later attempt', async () => {
    const run = await stalled('postfix', { starttlsTimeout: '2s' });
    expect(summary(run.report)).toEqual({ links: { 'client->mta': 'tls', 'mta->next': 'stripped' }, outcome: 'delivered' });
    // Level may: a failed handshake defers the message; once it is minimal_backoff_time old, the next failure is followed by plaintext.
    const seen = connections(run);
    expect(seen.at(-1)).toEqual(IN_CLEAR);
    expect(seen.slice(0, -1)).toEqual(Array(seen.length - 1).fill(STALLED));
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(run.facts('tls-failed')[0].line).toMatch(/^postfix\/smtp\[\d+\]: SSL_connect error to 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: Connection timed out$/);
    expect(run.facts('deferred')[0].detail).toBe('Cannot start TLS: handshake failure');
    expect(run.facts('plaintext-fallback')).toHaveLength(1);
  }, 60_000);
});

describe.skipIf(!availability('exim').usable)(titled("exim: starttlsTimeout is the smtp transport's command_timeout, which times the handshake and each reply", 'exim'), () => {
  it('gives up on a stalled handshake and reconnects in clear at once', async () => {
    const run = await stalled('exim', { starttlsTimeout: '2s' });
    expect(summary(run.report)).toEqual({ links: { 'client->mta': 'tls', 'mta->next': 'stripped' }, outcome: 'delivered' });
    expect(connections(run)).toEqual([STALLED, IN_CLEAR]);
    expect(run.facts('plaintext-fallback')[0].line).toMatch(/TLS session: \(gnutls_handshake\): timed out: delivering unencrypted to H=127\.0\.0\.1 \[127\.0\.0\.1\] \(not in hosts_require_tls\)$/);
    expect(run.facts('deferred')).toEqual([]);
  }, 60_000);
});

describe.skipIf(!availability('sendmail').usable).concurrent(titled('sendmail: timeout and starttlsTimeout are its Timeout.* options', 'sendmail'), () => {
  it('with TLSFallbacktoClear (fallback: reconnect) it gives up on the stalled handshake and reconnects in clear', async () => {
    const run = await stalled('sendmail', { fallback: 'reconnect', timeout: '2s', starttlsTimeout: '2s' });
    expect(summary(run.report)).toEqual({ links: { 'client->mta': 'tls', 'mta->next': 'stripped' }, outcome: 'delivered' });
    expect(connections(run)).toEqual([STALLED, IN_CLEAR]);
    expect(linkOfM1(run)).toEqual({ verdict: 'stripped', sessions: 2, witnesses: { sender: 'plain', receiver: 'plain', wire: 'plain' } });
    // SSL_error=2 (SSL_ERROR_WANT_READ), errno=11 (EAGAIN): Timeout.starttls ran out while it waited for the server's answer.
    expect(run.facts('tls-failed')[0].line).toMatch(/STARTTLS=client, error: connect failed=-1, reason=unknown, SSL_error=2, errno=11, retry=0$/);
    expect(run.facts('plaintext-fallback')).toHaveLength(1);
  }, 60_000);

  it('without it (its own fallback: never) it gives up on each stalled handshake and defers, never in clear', async () => {
    const run = await stalled('sendmail', { timeout: '2s' });
    expect(summary(run.report)).toEqual({ links: { 'client->mta': 'tls', 'mta->next': 'refused' }, outcome: 'deferred' });
    // One attempt per queue run, each a new connection whose handshake stalled.
    const seen = connections(run);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(Array(seen.length).fill(STALLED));
    const deferred = run.facts('deferred');
    expect(deferred.length).toBeGreaterThanOrEqual(2);
    expect(deferred.map((f) => f.detail)).toEqual(Array(deferred.length).fill('454 4.7.0 TLS handshake failed.'));
    expect(run.facts('tls-failed').length).toBeGreaterThanOrEqual(deferred.length);
    expect(run.facts('plaintext-fallback')).toEqual([]);
  }, 60_000);
});
