/**
 * Reading TLS-RPT reports as a collector gets them (RFC 8460 §5): mailhop's own (JSON, .json.gz, report mail) and
 * shapes other senders write (optional fields omitted, empty strings, mx-host as one string), each checked against
 * schemas/tlsrpt.schema.json; `mailhop tlsrpt check` prints them and names every violation by JSON path.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { readReportBytes, readReportFile } from '../../harness/tlsrpt/read-report.js';
import { tlsRptViolations } from '../../harness/tlsrpt/tlsrpt-schema.js';
import { composeReportMail } from '../../harness/tlsrpt/report-mail.js';
import { gzipReport, reportFilename, writeTlsRptFiles } from '../../harness/tlsrpt/report-files.js';
import { tlsRptCheckCommand } from '../../harness/cli/tlsrpt-command.js';
import type { BuiltReport } from '../../harness/tlsrpt/build-reports.js';

const own: BuiltReport = {
  policyDomain: 'partner.test', day: '2026-12-07',
  report: {
    'organization-name': 'Org Test', 'date-range': { 'start-datetime': '2026-12-07T00:00:00Z', 'end-datetime': '2026-12-07T23:59:59Z' },
    'contact-info': 'mailto:tls-admin@org.test', 'report-id': '2026-12-07_partner.test@relay.mailhop.test',
    policies: [{
      policy: { 'policy-type': 'tlsa', 'policy-string': ['3 1 1 146bb7b6ee966aa7'], 'policy-domain': 'partner.test' },
      summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 3 },
      'failure-details': [{ 'result-type': 'tlsa-invalid', 'sending-mta-ip': '127.0.0.1', 'receiving-mx-hostname': 'mx.mailhop.test', 'receiving-ip': '127.0.0.1', 'failed-session-count': 3, 'failure-reason-code': 'no TLSA record matched' }],
    }],
  },
};

const fixture = (name: string) => readFile(path.join('test/tlsrpt/fixtures', name));

async function check(file: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await tlsRptCheckCommand(file, (l) => lines.push(stripVTControlCharacters(l)));
  return { code, lines };
}

describe('reading TLS-RPT reports', () => {
  it('reads mailhop\'s own report back from JSON, .json.gz and the report mail, and each conforms', async () => {
    const mail = await composeReportMail(own, { from: 'tlsrpt@relay.mailhop.test', to: 'tlsrpt@partner.test', submitter: 'relay.mailhop.test', date: new Date(Date.UTC(2026, 11, 8)) });
    const json = await readReportBytes(Buffer.from(JSON.stringify(own.report)), 'own.json');
    const gz = await readReportBytes(gzipReport(own), 'own.json.gz');
    const eml = await readReportBytes(mail, 'own.eml');
    expect([json.format, gz.format, eml.format]).toEqual(['json', 'json.gz', 'mail']);
    expect(eml.filename).toBe('relay.mailhop.test!partner.test!1796601600!1796687999.json.gz');
    for (const r of [json, gz, eml]) {
      expect(r.report).toEqual(own.report);
      expect(tlsRptViolations(r.report)).toEqual([]);
    }
  });

  it('takes other senders\' shapes: optional fields left out, empty strings, mx-host as one string, a +json part', async () => {
    const sts = JSON.parse((await fixture('sts-all-successful.json')).toString()) as unknown;
    const sparse = JSON.parse((await fixture('empty-strings-omitted-fields.json')).toString()) as unknown;
    expect(tlsRptViolations(sts)).toEqual([]);
    expect(tlsRptViolations(sparse)).toEqual([]);
    // A report mail whose report part is plain JSON (application/tlsrpt+json, RFC 8460 §6.4).
    const root = new MimeNode('multipart/report; report-type="tlsrpt"', { newline: 'win' });
    root.setHeader({ From: 'reports@sender.example', To: 'tlsrpt@partner.test', Subject: 'Report Domain: partner.test' });
    root.createChild('text/plain').setContent('report attached');
    root.createChild('application/tlsrpt+json', { filename: 'sender.example!partner.test!1796515200!1796601599.json' }).setContent(JSON.stringify(sts));
    const read = await readReportBytes(await root.build(), 'vendor.eml');
    expect(read).toEqual({ report: sts, format: 'mail', filename: 'sender.example!partner.test!1796515200!1796601599.json' });
  });

  it('mailhop tlsrpt check prints the report as a table and says it conforms', async () => {
    const dir = tempDir('tlsrpt');
    const [file] = await writeTlsRptFiles(dir, [{ submitter: 'relay.mailhop.test', built: own }]);
    expect(path.basename(file)).toBe(reportFilename('relay.mailhop.test', own));
    const { code, lines } = await check(file);
    expect(code).toBe(0);
    expect(lines.slice(1, 5)).toEqual([
      'organization  Org Test',
      'contact       mailto:tls-admin@org.test',
      'report id     2026-12-07_partner.test@relay.mailhop.test',
      'date range    2026-12-07T00:00:00Z to 2026-12-07T23:59:59Z',
    ]);
    expect(lines.slice(6, 9).map((l) => l.split(/\s{2,}/))).toEqual([
      ['policy', 'domain', 'successful', 'failed', 'result type', 'MX host', 'receiving IP', 'sessions', 'reason'],
      ['tlsa', 'partner.test', '0', '3'],
      ['', 'tlsa-invalid', 'mx.mailhop.test', '127.0.0.1', '3', 'no TLSA record matched'],
    ]);
    expect(lines.at(-1)).toBe('schema: conforms to RFC 8460 §4.4 (schemas/tlsrpt.schema.json)');
  });

  it('names each schema violation by its JSON path, and prints what it could read with - for the rest', async () => {
    const dir = tempDir('tlsrpt');
    const file = path.join(dir, 'broken.json.gz');
    const broken = {
      'organization-name': 'Broken Sender', 'date-range': { 'start-datetime': 'yesterday' }, 'report-id': '',
      policies: [{ policy: { 'policy-type': 'dane', 'policy-domain': 'partner.test' }, summary: { 'total-successful-session-count': -1, 'total-failure-session-count': 1 }, 'failure-details': [{ 'result-type': 'tls-broken', 'failed-session-count': '1' }] }],
    };
    await writeFile(file, gzipSync(JSON.stringify(broken)));
    const { code, lines } = await check(file);
    expect(code).toBe(1);
    expect(lines).toContain('contact       -');
    expect(lines.slice(lines.findIndex((l) => l.startsWith('schema:')))).toEqual([
      'schema: 8 violations of RFC 8460 §4.4 (schemas/tlsrpt.schema.json)',
      '  $.contact-info: is required',
      '  $.date-range.end-datetime: is required',
      '  $.date-range.start-datetime: must match format "date-time"',
      '  $.report-id: must NOT have fewer than 1 characters',
      '  $.policies[0].policy.policy-type: must be equal to one of the allowed values (sts, tlsa, no-policy-found)',
      '  $.policies[0].summary.total-successful-session-count: must be >= 0',
      '  $.policies[0].failure-details[0].result-type: must be equal to one of the allowed values (starttls-not-supported, certificate-host-mismatch, certificate-expired, certificate-not-trusted, validation-failure, tlsa-invalid, dnssec-invalid, dane-required, sts-policy-fetch-error, sts-policy-invalid, sts-webpki-invalid)',
      '  $.policies[0].failure-details[0].failed-session-count: must be integer',
    ]);
  });

  it('refuses a file that is no report, naming the file and why', async () => {
    const dir = tempDir('tlsrpt');
    const file = path.join(dir, 'note.eml');
    await writeFile(file, 'From: a@b.test\r\nSubject: hello\r\n\r\nno report here\r\n');
    await expect(readReportFile(file)).rejects.toMatchObject({
      code: 'EUSAGE',
      message: `${file}: cannot read it as a TLS-RPT report: a mail without an application/tlsrpt+gzip or application/tlsrpt+json part (RFC 8460 §5.3); its parts: none.`,
    });
  });
});
