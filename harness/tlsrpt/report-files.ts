/**
 * A report as a file: its name as RFC 8460 §5.1 gives it, `<submitter>!<policy domain>!<begin>!<end>.json.gz` (begin
 * and end in seconds since the epoch, UTC), and its gzip body (§5.1: the JSON compressed with gzip). `--tlsrpt DIR`
 * writes them so.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BuiltReport } from './build-reports.js';
import { MailhopError } from '../errors.js';

/** The report's file name, RFC 8460 §5.1. @param submitter the reporting domain, e.g. `relay.mailhop.test`. */
export function reportFilename(submitter: string, built: BuiltReport): string {
  const range = built.report['date-range'];
  const secs = (t: string) => Math.floor(Date.parse(t) / 1000);
  return `${submitter}!${built.policyDomain}!${secs(range['start-datetime'])}!${secs(range['end-datetime'])}.json.gz`;
}

/** The report as it is sent: JSON, gzip-compressed (RFC 8460 §5.1). */
export function gzipReport(built: BuiltReport): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(built.report, null, 2)));
}

/**
 * Writes reports into `dir` (created if missing), one `.json.gz` file each.
 * @returns the paths written.
 * @throws MailhopError `EUSAGE` when the folder or a file cannot be written.
 */
export async function writeTlsRptFiles(dir: string, reports: ReadonlyArray<{ submitter: string; built: BuiltReport }>): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
    const out: string[] = [];
    for (const { submitter, built } of reports) {
      const file = path.join(dir, reportFilename(submitter, built));
      await writeFile(file, gzipReport(built));
      out.push(file);
    }
    return out;
  } catch (err) {
    throw MailhopError.of('EUSAGE', { where: `--tlsrpt ${dir}`, what: 'write the TLS-RPT reports', why: (err as Error).message });
  }
}
