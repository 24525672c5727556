/**
 * Renders run reports as JUnit XML (the Ant/Surefire dialect CI servers read): one `<testcase>` per
 * scenario with its `time` in seconds, a `<failure>` for a failed one whose text is the scenario's
 * link table and failed claims followed by the SMTP transcript of the failing link (when the run's
 * trace is given), and the table as `<system-out>` for every scenario. Pure: reports in, XML out.
 */
import { dirname } from 'node:path';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { RunRecord } from './run-record.js';
import { renderScenario } from './text-report.js';
import { failureEvidence } from './failure-evidence.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
// XML 1.0 allows tab, LF, CR and U+0020 upwards; anything else cannot appear even escaped.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g;

/** Escapes text for an XML attribute or element body. */
export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The scenario's text table without colour codes. */
export function plainTable(report: ScenarioReport): string {
  return renderScenario(report).replace(ANSI, '');
}

/** Seconds with millisecond precision, as JUnit's `time` attribute has them. */
const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase({ report, events, durationMs }: RunRecord): string {
  // classname groups testcases by folder (`mailhop.scenarios`), the way CI servers group by package.
  const folder = report.file ? dirname(report.file).replace(/^\.\/?/, '').replace(/[\\/]+/g, '.').replace(/^\.+|\.+$/g, '') : '';
  const classname = folder ? `mailhop.${folder}` : 'mailhop';
  const time = durationMs !== undefined ? ` time="${seconds(durationMs)}"` : '';
  const attrs = `name="${xmlEscape(report.name)}" classname="${xmlEscape(classname)}"${report.file ? ` file="${xmlEscape(report.file)}"` : ''}${time}`;
  const table = xmlEscape(plainTable(report));
  const evidence = failureEvidence(report, events);
  const why = evidence.length ? `\n\nOn the wire:\n${xmlEscape(evidence.join('\n'))}` : '';
  if (report.skipped) return `    <testcase ${attrs}>\n      <skipped message="${xmlEscape(report.skipped)}"/>\n    </testcase>`;
  const failure = report.passed
    ? ''
    : `\n      <failure message="${xmlEscape(report.failures.join('; ') || 'the scenario failed')}" type="mailhop.expectation">${table}${why}</failure>`;
  return `    <testcase ${attrs}>${failure}\n      <system-out>${table}</system-out>\n    </testcase>`;
}

/**
 * @param runs the reports, or run records (report, trace, duration): with records, each testcase has
 *   its `time` and a failed one quotes the failing link's transcript.
 * @example renderJunit(records) // '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mailhop" tests="2" failures="1" errors="0" skipped="0" time="0.412">…'
 */
export function renderJunit(runs: readonly RunRecord[] | readonly ScenarioReport[], suiteName = 'mailhop'): string {
  const records: RunRecord[] = runs.map((r) => ('report' in r ? r : { report: r, events: [] }));
  const reports = records.map((r) => r.report);
  const failures = reports.filter((r) => !r.passed).length;
  const skipped = reports.filter((r) => r.skipped).length;
  const timed = records.some((r) => r.durationMs !== undefined);
  const total = records.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
  const counts = `tests="${reports.length}" failures="${failures}" errors="0" skipped="${skipped}"${timed ? ` time="${seconds(total)}"` : ''}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suiteName)}" ${counts}>`,
    `  <testsuite name="${xmlEscape(suiteName)}" ${counts}>`,
    ...records.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
