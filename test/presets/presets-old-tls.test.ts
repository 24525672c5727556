import { describe, expect, it } from 'vitest';
import { runInline, type InlineRun } from '../support/chain.js';
import type { PresetKey } from '../../harness/presets/index.js';

// A next hop that only speaks TLS 1.0 (docs/behaviour.md#A-old-tls), against each preset of a product mailhop can
// run for real: what crossed relay->mailbox must be what the product did (observed with Postfix 3.7.11, Exim 4.96,
// Sendmail 8.17.1.9 and OpenSMTPD 6.8.0p2; test/engines/old-tls-fidelity.test.ts runs them side by side).

const TLS10_ONLY = { starttls: 'offer', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } } as const;

function chain(preset: PresetKey): Promise<InlineRun> {
  return runInline({ runFor: '1h', hops: [{ id: 'relay', preset }, { id: 'mailbox', inbound: TLS10_ONLY }] });
}

/** Per wire connection on relay->mailbox: handshake, negotiated version and suite (OpenSSL name), content in clear. */
const wireOf = (run: InlineRun) => run.wire('relay->mailbox').map((w) => [w.handshake, w.tls?.version ?? null, w.tls?.cipher ?? null, w.plaintextData]);

describe('presets against a TLS 1.0-only next hop', () => {
  it.each(['postfix', 'postfix-encrypt', 'exim'] as const)('%s negotiates TLSv1 (ECDHE-ECDSA-AES256-SHA) and delivers over TLS', async (preset) => {
    const run = await chain(preset);
    expect(wireOf(run)).toEqual([['established', 'TLSv1', 'ECDHE-ECDSA-AES256-SHA', false]]);
    expect(run.sessions('relay->mailbox').map((s) => [s.tls?.version, s.result])).toEqual([['TLSv1', 'relayed']]);
    expect(run.report.links[1].verdict).toBe('tls');
    expect(run.mailbox[0].raw.toString()).toContain('(using TLSv1 with cipher');
  });

  it('sendmail offers TLS 1.0 but refuses its SHA-1 signature (OpenSSL security level): deferred, never in plaintext', async () => {
    const run = await chain('sendmail');
    const wire = run.wire('relay->mailbox');
    expect(wire.length).toBeGreaterThanOrEqual(2);
    expect(wire.every((w) => w.handshake === 'failed' && !w.plaintextData)).toBe(true);
    const [first] = run.sessions('relay->mailbox');
    expect(first.tlsFailure?.detail).toBe('TLS handshake failed: ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED (legacy sigalg disallowed or unsupported)');
    expect(first.reply.text).toBe('454 4.7.0 TLS handshake failed.');
    expect([run.report.outcome, run.report.endToEnd]).toEqual(['deferred', 'held']);
  });

  it('sendmail-fallback fails the same way, then sends on a new plaintext connection at once', async () => {
    const run = await chain('sendmail-fallback');
    // The server's hello chose TLSv1 and its suite; the client ended the handshake at the server's signature.
    expect(wireOf(run)).toEqual([['failed', 'TLSv1', 'ECDHE-ECDSA-AES256-SHA', false], ['none', null, null, true]]);
    expect(run.sessions('relay->mailbox')[0].tlsFailure?.detail).toMatch(/legacy sigalg disallowed or unsupported/);
    expect(run.wire('relay->mailbox')[0].alert).toMatchObject({ from: 'client', description: 'internal_error' });
    expect(run.report.links[1].verdict).toBe('downgraded');
  });

  it('opensmtpd too offers TLS 1.0 and refuses the SHA-1 signature, then sends in plaintext at once', async () => {
    const run = await chain('opensmtpd');
    expect(wireOf(run)).toEqual([['failed', 'TLSv1', 'ECDHE-ECDSA-AES256-SHA', false], ['none', null, null, true]]);
    expect(run.wire('relay->mailbox')[0].alert).toMatchObject({ from: 'client', description: 'internal_error' });
    expect(run.sessions('relay->mailbox')[0].tlsFailure?.detail).toMatch(/legacy sigalg disallowed or unsupported/);
    expect(run.report.links[1].verdict).toBe('downgraded');
  });
});
