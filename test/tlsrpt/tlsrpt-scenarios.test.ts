/**
 * TLS-RPT end to end (scenarios/tlsrpt/, RFC 8460): what the reporting hop sent and what arrived. The report mail as
 * the MX host stored it (multipart/report, the application/tlsrpt+gzip part named as §5.1 says, TLS-Required: No) and
 * its own session left out of the counts; the HTTPS POST as mailhop's loopback endpoint received it; each report
 * valid against schemas/tlsrpt.schema.json. A rua off loopback is refused when the scenario loads.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { loadScenarioFile, loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';
import type { SessionEvent } from '../../harness/trace/events.js';
import { buildTlsRptReports } from '../../harness/tlsrpt/build-reports.js';
import { tlsRptViolations } from '../../harness/tlsrpt/tlsrpt-schema.js';
import { dialog } from '../support/dialog.js';

async function run(name: string) {
  const { scenario, file } = await loadScenarioFile(`scenarios/tlsrpt/${name}.yaml`);
  await using chain = await startChain(scenario, { file });
  const report = await chain.run();
  return { report, events: chain.events(), mailbox: chain.mailbox() };
}

describe('scenarios/tlsrpt', () => {
  it('a report by mail goes through the relay\'s queue by MX, arrives as multipart/report, and its own session is not counted', async () => {
    const { report, events, mailbox } = await run('mail-report-through-the-chain');
    expect(report.failures).toEqual([]);
    const [sent] = report.tlsRpt!.reports;
    expect(sent.deliveries).toEqual([{ via: 'mail', uri: 'mailto:tlsrpt@partner.test', messageId: 'm2', outcome: 'delivered' }]);
    // The report mail is judged apart: the scenario's messages are its own.
    expect(report.messages.map((m) => m.messageId)).toEqual(['m1']);

    const stored = mailbox.filter((m) => m.id === 'm2');
    expect(stored.map((m) => [m.from, m.to])).toEqual([['tlsrpt@relay.mailhop.test', ['tlsrpt@partner.test']]]);
    const mail = await PostalMime.parse(stored[0].raw, { attachmentEncoding: 'arraybuffer' });
    const header = (key: string) => mail.headers.find((h) => h.key === key)?.value;
    expect({
      type: header('content-type')?.replace(/;\s*boundary=.*$/s, ''), required: header('tls-required'),
      domain: header('tls-report-domain'), submitter: header('tls-report-submitter'), subject: mail.subject,
    }).toEqual({
      type: 'multipart/report; report-type=tlsrpt', required: 'No', domain: 'partner.test', submitter: 'relay.mailhop.test',
      subject: `Report Domain: partner.test Submitter: relay.mailhop.test Report-ID: <${sent.report['report-id']}>`,
    });
    const [part] = mail.attachments;
    expect([part.mimeType, part.filename]).toEqual(['application/tlsrpt+gzip', sent.filename]);
    expect(sent.filename).toMatch(/^relay\.mailhop\.test!partner\.test!\d+!\d+\.json\.gz$/);
    const json = JSON.parse(gunzipSync(Buffer.from(part.content as ArrayBuffer)).toString('utf8')) as unknown;
    expect(json).toEqual(sent.report);
    expect(tlsRptViolations(json)).toEqual([]);

    // The strip hit the report mail's first attempt too; TLS-Required: No let the relay send it in clear (RFC 8689 §4.4).
    const own = events.filter((e): e is SessionEvent => e.kind === 'session' && e.link === 'relay->mx' && e.messageId === 'm2');
    expect(own.map((s) => [s.starttlsAdvertised, s.tls, s.result]), own.map(dialog).join('\n')).toEqual([[false, null, 'relayed']]);
    // Counted, it would have been a second failed session that day.
    const counted = buildTlsRptReports(events, { hop: 'relay', organizationName: 'Org Test', contactInfo: 'x', day0: sent.day });
    expect(counted[0].report.policies[0].summary).toEqual({ 'total-successful-session-count': 1, 'total-failure-session-count': 2 });
    expect(sent.report.policies[0].summary).toEqual({ 'total-successful-session-count': 1, 'total-failure-session-count': 1 });
  });

  it('a report by HTTPS is POSTed gzip-compressed to mailhop\'s endpoint on loopback', async () => {
    const { report } = await run('https-report-to-loopback');
    expect(report.failures).toEqual([]);
    const [sent] = report.tlsRpt!.reports;
    expect(sent.deliveries).toEqual([{ via: 'https', uri: 'https://127.0.0.1/tlsrpt/v1', status: 200 }]);
    expect(report.tlsRpt!.posts).toEqual([{ path: '/tlsrpt/v1', contentType: 'application/tlsrpt+gzip', status: 200, report: sent.report }]);
    expect(tlsRptViolations(report.tlsRpt!.posts[0].report)).toEqual([]);
    expect(sent.report.policies[0]['failure-details']?.map((d) => [d['result-type'], d['failed-session-count']])).toEqual([['certificate-expired', 2]]);
  });

  it('refuses a scenario whose rua names an HTTPS host off loopback, before anything starts', () => {
    const text = [
      'name: rua-elsewhere',
      'hops:',
      '  - { id: relay, outbound: { route: mx }, tlsRpt: {} }',
      '  - id: mx',
      'dns:',
      '  partner.test:',
      '    mx: [{ hop: mx, preference: 10 }]',
      '    tlsRpt: "v=TLSRPTv1; rua=https://reports.partner.test/v1"',
      'messages: [{ from: a@org.test, to: [b@partner.test] }]',
    ].join('\n');
    expect(() => loadScenarioText(text, 'rua.yaml')).toThrow(
      'rua.yaml:8:13: dns["partner.test"].tlsRpt: rua https://reports.partner.test/v1: mailhop posts reports only to its own endpoint on loopback (127.0.0.0/8), never to reports.partner.test; write the URI as https://127.0.0.1/<path>',
    );
  });

  it('refuses tlsRpt on a hop that does not route by MX, and a claim when no hop reports', () => {
    const text = [
      'name: no-router',
      'hops:',
      '  - { id: relay, tlsRpt: {} }',
      '  - id: mx',
      'messages: [{ from: a@org.test, to: [b@partner.test] }]',
    ].join('\n');
    expect(() => loadScenarioText(text, 'r.yaml')).toThrow('r.yaml:3:26: hops[0].tlsRpt: a TLS-RPT reporter reports per policy domain, which only a hop that routes by MX looks up: add outbound: { route: mx } (and a dns: block)');
    const claim = ['name: no-reporter', 'hops: [{ id: mx }]', 'messages: [{ from: a@org.test, to: [b@partner.test] }]', 'expect: { tlsRpt: [{ domain: partner.test }] }'].join('\n');
    expect(() => loadScenarioText(claim, 'c.yaml')).toThrow('c.yaml:4:20: expect.tlsRpt[0]: no hop reports: give the hop that routes by MX a tlsRpt: {} key');
  });
});
