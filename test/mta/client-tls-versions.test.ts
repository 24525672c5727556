import { describe, expect, it } from 'vitest';
import { runInline, type InlineRun } from '../support/chain.js';

// outbound.tlsMinVersion / tlsMaxVersion (and submit's): the TLS versions mailhop's client offers, asserted on what
// the wire witness saw of the handshake (docs/behaviour.md#A-old-tls, docs/behaviour.md#N-openssl).

const TLS10_ONLY = { starttls: 'offer', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } } as const;
const UP_TO_TLS12 = { starttls: 'offer', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.2' } } as const;

/** Per wire connection on a link: handshake result, the version the server's hello chose, content in clear. */
const wireOf = (run: InlineRun, link: string) => run.wire(link).map((w) => [w.handshake, w.tls?.version ?? null, w.plaintextData]);

describe('the client\'s TLS versions', () => {
  it('submit with tlsMinVersion: TLSv1 gets TLS from a TLS 1.0-only hop (SECLEVEL=0 added for it)', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic', fallback: 'reconnect', tlsMinVersion: 'TLSv1' }, hops: [{ id: 'mx', inbound: TLS10_ONLY }] });
    expect(wireOf(run, 'client->mx')).toEqual([['established', 'TLSv1', false]]);
    expect(run.sessions('client->mx')[0].tls).toMatchObject({ version: 'TLSv1', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA' });
    expect(run.report.links[0].verdict).toBe('tls');
  });

  it('a mock hop\'s outbound range pins the version: TLSv1.1 only, against a hop that would take up to TLSv1.2', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { tls: 'mandatory', tlsMinVersion: 'TLSv1.1', tlsMaxVersion: 'TLSv1.1' } }, { id: 'mx', inbound: UP_TO_TLS12 }],
    });
    expect(wireOf(run, 'relay->mx')).toEqual([['established', 'TLSv1.1', false]]);
    expect(run.report.outcome).toBe('delivered');
  });

  it('tlsMaxVersion: TLSv1.2 keeps a TLS 1.3 hop at TLSv1.2', async () => {
    const run = await runInline({ submit: { tls: 'opportunistic', tlsMaxVersion: 'TLSv1.2' }, hops: [{ id: 'mx' }] });
    expect(wireOf(run, 'client->mx')).toEqual([['established', 'TLSv1.2', false]]);
  });

  it('an explicit tlsCiphers replaces the SECLEVEL=0 list: TLSv1 is offered, the server\'s SHA-1 signature refused', async () => {
    const run = await runInline({
      submit: { tls: 'opportunistic', fallback: 'reconnect', tlsMinVersion: 'TLSv1', tlsCiphers: 'DEFAULT' },
      hops: [{ id: 'mx', inbound: TLS10_ONLY }],
    });
    expect(wireOf(run, 'client->mx')).toEqual([['failed', 'TLSv1', false], ['none', null, true]]);
    expect(run.sessions('client->mx')[0].tlsFailure?.detail).toBe(
      'TLS handshake failed: ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED (legacy sigalg disallowed or unsupported)',
    );
  });

  it('tlsMinVersion: TLSv1.3 against a hop that stops at TLSv1.2: no version in common, mandatory defers', async () => {
    const run = await runInline({ submit: { tls: 'mandatory', tlsMinVersion: 'TLSv1.3' }, hops: [{ id: 'mx', inbound: UP_TO_TLS12 }] });
    const wire = wireOf(run, 'client->mx');
    expect(wire.length).toBeGreaterThanOrEqual(2);
    expect(wire).toEqual(wire.map(() => ['failed', null, false]));
    expect(run.sessions('client->mx')[0].reply.enhanced).toBe('4.7.5');
    expect(run.report.outcome).toBe('deferred');
  });
});
