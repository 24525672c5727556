/**
 * Product timeouts in the presets, behind mailhop's own stall fault (they elapse on the virtual clock), and what
 * each product does after one; OpenSMTPD's two ways of its own (a timeout defers, a reset after STARTTLS falls back),
 * as observed with OpenSMTPD 6.8.0p2 (docs/behaviour.md#B-stall-opensmtpd, #B-reset-opensmtpd).
 */
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../harness/audit/run-audit.js';

describe('preset timeouts and what follows them', () => {
  it('opensmtpd: a stalled handshake times out after 300 s of virtual time and defers, no plaintext', async () => {
    const { rows } = await runAudit({ kind: 'preset', preset: 'opensmtpd', set: { 'inbound.starttls': 'none' } }, { cases: ['handshake-stall', 'reset-on-starttls'] });
    const [stall, reset] = rows;
    expect(stall).toMatchObject({ outcomes: ['deferred'], verdicts: ['refused'], reply: '451 4.7.5 Connection timeout' });
    expect(stall.wire[0]).toMatch(/^#1 STARTTLS 220, handshake failed/);
    expect(stall.wire.some((w) => /message in clear/.test(w))).toBe(false);
    // A reset between STARTTLS and its reply: OpenSMTPD reconnects in clear at once.
    expect(reset).toMatchObject({ outcomes: ['delivered'], verdicts: ['downgraded'], sessions: [2] });
    expect(reset.wire[1]).toMatch(/^#2 .*message in clear/);
  }, 60_000);

  it('postfix: the stall costs smtp_starttls_timeout (300 s) and defers; the next attempt, begun with the message 5m old, falls back after its own stall', async () => {
    const { rows } = await runAudit({ kind: 'preset', preset: 'postfix', set: {} }, { cases: ['handshake-stall', 'reset-on-starttls'] });
    const [stall, reset] = rows;
    // As real Postfix 3.7 (audit-fidelity): TLS tried twice, then plaintext; PREACTIVE_DELAY in smtp.h.
    expect(stall).toMatchObject({ outcomes: ['delivered'], verdicts: ['stripped'], sessions: [3] });
    expect(stall.notes.join('\n')).toMatch(/300000 ms of virtual time/);
    // Postfix defers on a reset (no fallback in the same attempt).
    expect(reset.wire[0]).toMatch(/^#1 STARTTLS unanswered/);
    expect(reset.sessions[0]).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
