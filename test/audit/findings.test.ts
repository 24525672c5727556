/** Audit findings: each rule speaks only when the rows show the behaviour, and names the standard and the cases. */
import { describe, expect, it } from 'vitest';
import { auditFindings } from '../../harness/audit/findings.js';
import type { AuditRow } from '../../harness/audit/audit-row.js';

const row = (c: string, over: Partial<AuditRow> = {}): AuditRow => ({
  case: c, link: 'target->next', outcomes: ['delivered'], verdicts: ['tls'], sessions: [1], wire: [], notes: [], ...over,
});
const ids = (rows: AuditRow[], policy?: string) => auditFindings(rows, { policy }).map((f) => `${f.severity} ${f.id}`);

describe('audit findings', () => {
  it('plaintext after a failed handshake: a note when opportunistic, a risk against a mandatory setting; at once or later', () => {
    const reconnect = [row('handshake-alert', { verdicts: ['downgraded'], sessions: [2] })];
    expect(auditFindings(reconnect, { policy: 'opportunistic' })).toEqual([
      {
        id: 'plaintext-after-failed-handshake',
        severity: 'note',
        text: 'After a failed TLS handshake it delivers in plaintext at once, on a new connection: allowed for opportunistic TLS by RFC 7435 §3, and an attacker who breaks handshakes gets the mail in clear.',
        cases: ['handshake-alert'],
      },
    ]);
    const later = auditFindings([row('handshake-close', { verdicts: ['downgraded'], sessions: [4] })], { policy: 'mandatory' })[0];
    expect(later.severity).toBe('risk');
    expect(later.text).toMatch(/in plaintext on a later attempt: .* It does so against its own mandatory setting\.$/);
    expect(ids([row('handshake-alert', { outcomes: ['deferred'], verdicts: ['refused'] })])).toEqual([]);
  });

  it('stripping, unverified certificates and injected responses are risks; a target that resists them makes no finding', () => {
    const weak = [
      row('strip-starttls', { verdicts: ['stripped'] }),
      row('cert-expired'),
      row('inject-response', { verdicts: ['stripped'], sessions: [2] }),
    ];
    expect(ids(weak)).toEqual(['risk injected-responses-downgrade', 'risk stripping-accepted', 'risk certificates-not-verified']);
    const strong = [
      row('strip-starttls', { outcomes: ['deferred'], verdicts: ['refused'] }),
      row('cert-expired', { outcomes: ['deferred'], verdicts: ['refused'] }),
      row('inject-response'),
    ];
    expect(ids(strong)).toEqual([]);
  });

  it('TLS 1.0, preserve-inbound, fallback memory and a held stall are notes; cases that did not run make none', () => {
    expect(ids([row('tls10-only', { tls: 'TLSv1 ECDHE-ECDSA-AES256-SHA' })])).toEqual(['note legacy-tls-negotiated']);
    expect(ids([row('inbound-plaintext', { verdicts: ['plain'] }), row('offer')])).toEqual(['note preserves-inbound-tls']);
    expect(ids([row('memory-after-alert', { outcomes: ['delivered', 'delivered'], verdicts: ['downgraded', 'downgraded'], sessions: [3, 1] })])).toEqual(['note fallback-remembered']);
    expect(ids([row('handshake-stall', { outcomes: ['deferred'], verdicts: ['refused'] })])).toEqual(['note stall-holds-mail']);
    expect(ids([row('strip-starttls', { error: 'the chain failed' })])).toEqual([]);
  });
});
