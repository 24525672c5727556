import { describe, it, expect } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import { cmd, dial, dialog } from '../support/dialog.js';
import { startTestHop } from '../support/hop.js';

// break-handshake hops (docs/behaviour.md#S-break-handshake): STARTTLS is
// answered 220, then the ClientHello meets a close, an alert, plaintext or silence. What each
// fallback flavour (docs/behaviour.md#B-fallback) does next is asserted on the wire.

/** Client timeout for stalls: real milliseconds, kept small. */
const TIMEOUT = '300ms';

const HOWS = [
  { how: 'close', wire: 'closed by server', client: /connection closed during the handshake|ECONNRESET/ },
  { how: 'alert', wire: 'alert handshake_failure', client: /ALERT_HANDSHAKE_FAILURE|alert handshake failure/ },
  { how: 'garbage', wire: 'non-TLS bytes from server', client: /WRONG_VERSION_NUMBER|wrong version number/ },
  { how: 'stall', wire: 'closed by client', client: /TLS handshake timed out after 300 ms/ },
] as const;

describe.each(HOWS)('break-handshake how: $how', ({ how, wire: wireFailure, client: clientError }) => {
  const mx = { id: 'mx', inbound: { starttls: 'break-handshake', how } } as const;

  it('answers STARTTLS with 220 2.0.0 and the handshake fails as the client sees it', async () => {
    await using hop = await startTestHop(mx.inbound);
    const client = await dial(hop.server.address, hop.pki, 300);
    expect((await cmd(client, 'EHLO client.mailhop.test', 250)).lines).toContain('STARTTLS');
    expect((await cmd(client, 'STARTTLS', 220)).text).toBe('220 2.0.0 Ready to start TLS');
    await expect(client.startTls(), dialog(client)).rejects.toThrow(clientError);
    client.destroy();
  });

  it('opportunistic + fallback reconnect: a new plaintext connection at once, link downgraded', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic', fallback: 'reconnect', timeout: TIMEOUT }, hops: [mx] });
    const wire = run.wire('client->mx');
    expect(wire).toHaveLength(2);
    expect(wire[0].starttlsReply).toEqual({ code: 220, text: '2.0.0 Ready to start TLS' });
    expect(wire[0].handshake).toBe('failed');
    expect(wire[0].handshakeFailure).toBe(wireFailure);
    expect(wire[0].plaintextData).toBe(false);
    expect(verbs(wire[1])).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(wire[1].plaintextMessageIds).toEqual(['m1']);
    const [first] = run.sessions('client->mx');
    expect(first.tlsFailure?.type).toBe('handshake-failure');
    expect(first.tlsFailure?.detail).toMatch(clientError);
    expect(run.report.links[0].verdict).toBe('downgraded');
    expect(run.report.endToEnd).toBe('broken');
  });
});

describe('break-handshake and the other fallback flavours', () => {
  const alert = { id: 'mx', inbound: { starttls: 'break-handshake', how: 'alert' } } as const;

  it('alert + fallback next-attempt (Postfix): deferred at 0, plaintext only once the message is 5 minutes old', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic', fallback: 'next-attempt', retry: ['5m'] }, hops: [alert] });
    expect(run.sessions('client->mx').map((s) => [s.attempt, s.connection, s.result, s.at])).toEqual([
      [1, 1, 'deferred', 0],
      [2, 1, 'fallback', 300_000],
      [2, 2, 'relayed', 300_000],
    ]);
    expect(run.wire('client->mx').map((w) => w.plaintextData)).toEqual([false, false, true]);
    expect(run.report.links[0].verdict).toBe('downgraded');
  });

  it('close + fallback never (Sendmail): deferred 4.7.5 on every attempt, never in clear', async () => {
    const run = await runInline({
      runFor: '30m',
      submit: { tls: 'opportunistic', fallback: 'never', retry: ['10m'] },
      hops: [{ id: 'mx', inbound: { starttls: 'break-handshake', how: 'close' } }],
    });
    const wire = run.wire('client->mx');
    expect(wire).toHaveLength(4);
    expect(wire.every((w) => w.handshake === 'failed' && !w.plaintextData)).toBe(true);
    expect(run.report.messages[0].outcome).toBe('deferred');
    expect(run.report.messages[0].stoppedAt?.reply.enhanced).toBe('4.7.5');
    expect(run.report.endToEnd).toBe('held');
  });

  it('stall + mandatory: the handshake times out after the client timeout, deferred 4.7.5, no content', async () => {
    const run = await runInline({
      runFor: '5m',
      submit: { tls: 'mandatory', retry: ['1h'], timeout: TIMEOUT },
      hops: [{ id: 'mx', inbound: { starttls: 'break-handshake', how: 'stall' } }],
    });
    const [w] = run.wire('client->mx');
    expect(w.handshake).toBe('failed');
    expect(w.closedBy).toBe('client');
    expect(w.plaintextData).toBe(false);
    expect(run.sessions('client->mx')[0].reply.text).toMatch(/4\.7\.5 Cannot start TLS: TLS handshake timed out after 300 ms/);
    expect(run.report.endToEnd).toBe('held');
  });
});
