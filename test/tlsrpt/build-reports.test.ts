import { describe, expect, it } from 'vitest';
import { buildTlsRptReports } from '../../harness/tlsrpt/build-reports.js';
import { tlsRptViolations } from '../../harness/tlsrpt/tlsrpt-schema.js';
import type { DnsEvent, HopStartedEvent, SessionEvent, TraceEvent } from '../../harness/trace/events.js';

const DAY = 86_400_000;
let seq = 0;

function hop(id: string, host: string): HopStartedEvent {
  return { kind: 'hop-started', source: 'chain', seq: ++seq, at: 0, link: `x->${id}`, hop: id, hopKind: 'mock', outboundLink: null, hostname: `${id}.mailhop.test`, address: { host, port: 2525 }, line: '' };
}

/** A session of the reporting hop `relay` to `mx`, for partner.test; `over` changes what happened on it. */
function session(at: number, messageId: string, over: Partial<SessionEvent> = {}): SessionEvent {
  return {
    kind: 'session', source: 'sender', seq: ++seq, at, link: 'relay->mx', hop: 'relay', messageId, attempt: 1, connection: 1, localPort: 40000 + seq,
    policy: 'opportunistic', requiresTls: false, plaintextRetry: false, starttlsAdvertised: true, starttlsSent: true,
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' } as SessionEvent['tls'], contentSent: { encrypted: true }, result: 'relayed',
    reply: { code: 250, text: 'Ok' }, transcript: [], destination: 'partner.test', tlsPolicy: { source: 'none', words: 'nothing required TLS' }, ...over,
  };
}

const options = { hop: 'relay', organizationName: 'Org Test', contactInfo: 'mailto:postmaster@org.test', day0: '2026-12-07' };

describe('TLS-RPT reports from the trace (RFC 8460 §4)', () => {
  const base: TraceEvent[] = [hop('relay', '127.0.0.1'), hop('mx', '127.0.0.2')];

  it('counts a day with a 454, a strip and a success on one domain by session, not by message', () => {
    const events: TraceEvent[] = [
      ...base,
      // m1: 454 to STARTTLS, then plaintext in the same session: one failed session.
      session(1_000, 'm1', { starttlsReply: { code: 454, text: '454 4.7.0 TLS not available due to temporary reason' }, tlsFailure: { type: 'starttls-rejected', detail: '4.7.0 TLS not available due to temporary reason' }, tls: null, contentSent: { encrypted: false } }),
      // m2: STARTTLS stripped from the EHLO reply: a failed session.
      session(2_000, 'm2', { starttlsAdvertised: false, starttlsSent: false, tls: null, contentSent: { encrypted: false } }),
      // m3 and m4 on one kept session: one successful session.
      session(3_000, 'm3'),
      session(3_001, 'm4', { sharedSession: { transaction: 2, after: ['m3'] } }),
    ];
    const [built, ...more] = buildTlsRptReports(events, options);
    expect(more).toEqual([]);
    expect(built.policyDomain).toBe('partner.test');
    expect(built.report).toEqual({
      'organization-name': 'Org Test',
      'date-range': { 'start-datetime': '2026-12-07T00:00:00Z', 'end-datetime': '2026-12-07T23:59:59Z' },
      'contact-info': 'mailto:postmaster@org.test',
      'report-id': '2026-12-07_partner.test@relay.mailhop.test',
      policies: [{
        policy: { 'policy-type': 'no-policy-found', 'policy-domain': 'partner.test' },
        summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 2 },
        'failure-details': [
          {
            'result-type': 'starttls-not-supported', 'sending-mta-ip': '127.0.0.1', 'receiving-mx-hostname': 'mx.mailhop.test', 'receiving-ip': '127.0.0.2',
            'failed-session-count': 1, 'additional-information': 'mailhop:link/relay-%3Emx', 'failure-reason-code': '454 4.7.0 TLS not available due to temporary reason',
          },
          {
            'result-type': 'starttls-not-supported', 'sending-mta-ip': '127.0.0.1', 'receiving-mx-hostname': 'mx.mailhop.test', 'receiving-ip': '127.0.0.2',
            'failed-session-count': 1, 'additional-information': 'mailhop:link/relay-%3Emx', 'failure-reason-code': 'STARTTLS not in the EHLO reply',
          },
        ],
      }],
    });
    expect(tlsRptViolations(built.report)).toEqual([]);
  });

  it('makes one report per virtual UTC day, and leaves out plaintext retries, tls: none and the reports\' own mail', () => {
    const events: TraceEvent[] = [
      ...base,
      session(1_000, 'm1', { tlsFailure: { type: 'handshake-failure', detail: 'alert handshake_failure' }, tls: null, result: 'fallback' }),
      session(1_001, 'm1', { connection: 2, plaintextRetry: true, starttlsSent: false, tls: null }),
      session(DAY + 5, 'm2'),
      session(DAY + 6, 'm3', { policy: 'none', starttlsSent: false, tls: null }),
      session(DAY + 7, 'r1'),
    ];
    const reports = buildTlsRptReports(events, { ...options, exclude: new Set(['r1']) });
    expect(reports.map((r) => [r.day, r.report.policies[0].summary])).toEqual([
      ['2026-12-07', { 'total-successful-session-count': 0, 'total-failure-session-count': 1 }],
      ['2026-12-08', { 'total-successful-session-count': 1, 'total-failure-session-count': 0 }],
    ]);
    expect(reports[0].report.policies[0]['failure-details']?.[0]['result-type']).toBe('validation-failure');
    expect(reports[1].report['date-range']).toEqual({ 'start-datetime': '2026-12-08T00:00:00Z', 'end-datetime': '2026-12-08T23:59:59Z' });
  });

  it('reports a DANE host as a tlsa policy with its records, a TLSA mismatch and an unusable host as failed sessions', () => {
    const lookup = (over: Partial<DnsEvent>): DnsEvent => ({
      kind: 'dns', source: 'sender', seq: ++seq, at: 500, link: 'relay->mx', hop: 'relay', messageId: 'm1', destination: 'partner.test',
      name: '_25._tcp.mx.mailhop.test', type: 'TLSA', outcome: 'answer', ad: true, answers: ['3 1 1 ab12'], ...over,
    });
    const dane = { source: 'dane' as const, words: 'TLS required and authenticated by TLSA', authenticates: true };
    const events: TraceEvent[] = [
      ...base,
      lookup({}),
      session(1_000, 'm1', { tlsPolicy: dane, policy: 'mandatory', requiresTls: true, tlsFailure: { type: 'tlsa-invalid', detail: 'no TLSA record matches the certificate' }, result: 'deferred', contentSent: null }),
      lookup({ at: 2_000, messageId: 'm2', outcome: 'servfail', ad: false, answers: [], failure: 'dnssec-invalid', decision: 'the TLSA lookup failed (SERVFAIL)' }),
    ];
    const [built] = buildTlsRptReports(events, options);
    expect(built.report.policies.map((p) => [p.policy, p.summary, p['failure-details']?.map((d) => d['result-type'])])).toEqual([
      [{ 'policy-type': 'tlsa', 'policy-string': ['3 1 1 ab12'], 'policy-domain': 'partner.test' }, { 'total-successful-session-count': 0, 'total-failure-session-count': 1 }, ['tlsa-invalid']],
      [{ 'policy-type': 'tlsa', 'policy-string': [], 'policy-domain': 'partner.test' }, { 'total-successful-session-count': 0, 'total-failure-session-count': 1 }, ['dnssec-invalid']],
    ]);
    expect(tlsRptViolations(built.report)).toEqual([]);
  });

  it('reports nothing for a hop that sent nothing, and nothing of another hop\'s sessions', () => {
    expect(buildTlsRptReports([...base, session(1, 'm1', { hop: 'other' })], options)).toEqual([]);
  });
});
