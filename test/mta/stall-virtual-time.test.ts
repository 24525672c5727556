/**
 * A mock hop's timeouts behind mailhop's own `stall` fault elapse on the chain's virtual clock
 * (docs/behaviour.md#A-stall): a product's 300 s handshake timeout costs milliseconds, and what follows it sees the
 * clock move (the fallback rule, retries, Received dates, DSNs). Every time below is virtual, read from the trace,
 * the mailbox and the Received headers; nothing times the run itself. A timeout that only waits on a real peer stays real.
 */
import { describe, expect, it } from 'vitest';
import { runInline, type InlineRun } from '../support/chain.js';
import { receivedInstant } from '../support/received-capture.js';

const LINK = 'relay->mx';
const MINUTE = 60_000;

/** `[virtual minute, attempt, connection, result]` of every session on relay->mx. */
const sessions = (run: InlineRun) => run.sessions(LINK).map((s) => [s.at / MINUTE, s.attempt, s.connection, s.result]);

/** `[virtual minute, attempt, next attempt's minute]` of every deferral on relay->mx. */
const deferrals = (run: InlineRun) =>
  run.events.flatMap((e) => (e.kind === 'deferred' && e.link === LINK ? [[e.at / MINUTE, e.attempt, e.nextAttemptAt / MINUTE]] : []));

/** Per connection on relay->mx: what crossed (`STARTTLS failed`, `STARTTLS established`, `plain m1`, `no message`). */
const crossed = (run: InlineRun) =>
  run.wire(LINK).map((w) => (w.starttlsSent ? `STARTTLS ${w.handshake}` : w.plaintextMessageIds.length ? `plain ${w.plaintextMessageIds.join(',')}` : 'no message'));

/** Seconds between the dates of the Received headers mx and relay wrote (the newest first). */
function receivedGapSeconds(run: InlineRun): number {
  const header = run.mailbox[0].raw.toString('latin1').split('\r\n\r\n')[0];
  const [byMx, byRelay] = header.split(/\r\n(?![ \t])/).filter((field) => /^Received:/i.test(field)).map(receivedInstant);
  return (byMx.getTime() - byRelay.getTime()) / 1000;
}

function stalled(outbound: Record<string, unknown>, link: Record<string, unknown> = {}): Promise<InlineRun> {
  return runInline({
    runFor: '2h',
    hops: [{ id: 'relay', outbound: { tls: 'opportunistic', ...outbound } }, { id: 'mx' }],
    links: [{ from: 'relay', to: 'mx', fault: 'stall', ...link }],
  } as never);
}

describe('stall fault: the client waits on the virtual clock', () => {
  it('Postfix-like (fallback next-attempt, fallbackAfter 5m): the stall defers; the next attempt, begun with the message 5m old, stalls again and goes plaintext at once', async () => {
    const run = await stalled({ fallback: 'next-attempt', fallbackAfter: '5m', starttlsTimeout: '300s' });
    // Postfix judges the age when the delivery began (PREACTIVE_DELAY, smtp.h): 0 on attempt 1, though 300 s have
    // passed when its handshake gives up; 10 minutes on attempt 2.
    expect(sessions(run)).toEqual([[5, 1, 1, 'deferred'], [15, 2, 1, 'fallback'], [15, 2, 2, 'relayed']]);
    expect(run.sessions(LINK)[0].reply.text).toBe('451 4.7.5 Cannot start TLS: TLS handshake timed out after 300000 ms of virtual time, the link silenced by a stall fault');
    expect(crossed(run)).toEqual(['STARTTLS failed', 'STARTTLS failed', 'plain m1']);
    expect(run.mailbox.map((m) => m.at)).toEqual([15 * MINUTE]);
    expect(receivedGapSeconds(run)).toBe(15 * 60);
    expect(run.report.messages[0].links.map((l) => l.verdict)).toEqual(['tls', 'stripped']);
  });

  it('with fallbackAfter 10m the first stall defers; the retry 5 minutes later stalls again and then goes plaintext', async () => {
    const run = await stalled({ fallback: 'next-attempt', fallbackAfter: '10m', starttlsTimeout: '300s' });
    expect(sessions(run)).toEqual([[5, 1, 1, 'deferred'], [15, 2, 1, 'fallback'], [15, 2, 2, 'relayed']]);
    expect(deferrals(run)).toEqual([[5, 1, 10]]);
    expect(crossed(run)).toEqual(['STARTTLS failed', 'STARTTLS failed', 'plain m1']);
    expect(receivedGapSeconds(run)).toBe(15 * 60);
  });

  it('after: greeting with timeout 300s, on attempt 1 only: the EHLO reply times out at 5 minutes, the retry at 10 goes over TLS', async () => {
    const run = await stalled({ timeout: '300s' }, { after: 'greeting', attempts: [1] });
    expect(sessions(run)).toEqual([[5, 1, 1, 'deferred'], [10, 2, 1, 'relayed']]);
    expect(run.sessions(LINK)[0].reply.text).toBe('451 4.4.2 no reply to EHLO within 300000 ms of virtual time, the link silenced by a stall fault');
    expect(deferrals(run)).toEqual([[5, 1, 10]]);
    expect(crossed(run)).toEqual(['no message', 'STARTTLS established']);
    expect(receivedGapSeconds(run)).toBe(600);
    expect(run.report.messages[0]).toMatchObject({ outcome: 'delivered', endToEnd: 'encrypted' });
  });

  it('a handshake stalled on attempt 1 only: deferred at 5 minutes (fallback never), TLS on attempt 2', async () => {
    const run = await stalled({ fallback: 'never', starttlsTimeout: '300s' }, { attempts: [1] });
    expect(sessions(run)).toEqual([[5, 1, 1, 'deferred'], [10, 2, 1, 'relayed']]);
    expect(run.sessions(LINK)[0].reply.enhanced).toBe('4.7.5');
    expect(crossed(run)).toEqual(['STARTTLS failed', 'STARTTLS established']);
    expect(run.report.messages[0].links.map((l) => l.verdict)).toEqual(['tls', 'tls']);
    expect(run.report.messages[0]).toMatchObject({ outcome: 'delivered', endToEnd: 'encrypted' });
  });

  it('TLS required and every attempt stalled: the bounce and its DSN come at the virtual time the last timeout ended', async () => {
    const run = await stalled({ tls: 'mandatory', timeout: '300s', retry: ['5m'], maxAge: '10m' }, { after: 'greeting' });
    // Attempt 2 is due at 10m (5m after attempt 1 ended, capped at maxAge) and times out at 15m: past maxAge, bounced.
    expect(sessions(run)).toEqual([[5, 1, 1, 'deferred'], [15, 2, 1, 'deferred']]);
    expect(run.dsns).toEqual([expect.objectContaining({ messageId: 'm1', hop: 'relay', at: 15 * MINUTE, reply: expect.objectContaining({ enhanced: '5.4.7' }) })]);
    expect(run.report.messages[0]).toMatchObject({ outcome: 'bounced', endToEnd: 'held' });
  });

  it('a next hop that never answers the ClientHello (not a fault of the link) is waited for in real time: the clock stays at 0', async () => {
    const run = await runInline({
      hops: [
        { id: 'relay', outbound: { tls: 'opportunistic', fallback: 'reconnect', starttlsTimeout: '300ms' } },
        { id: 'mx', inbound: { starttls: 'break-handshake', how: 'stall' } },
      ],
    } as never);
    expect(sessions(run)).toEqual([[0, 1, 1, 'fallback'], [0, 1, 2, 'relayed']]);
    expect(run.sessions(LINK)[0].reply.text).toBe('451 4.7.5 Cannot start TLS: TLS handshake timed out after 300 ms; retrying without STARTTLS');
  });
});
