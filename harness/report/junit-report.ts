/**
 * Renders run reports as JUnit XML (the Ant/Surefire dialect CI servers read): one `<testcase>` per
 * scenario, a `<failure>` for a failed one whose text is the scenario's link table and failed
 * claims, and the table as `<system-out>` for every scenario. Pure: reports in, XML out.
 */
import { dirname } from 'node:path';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { renderScenario } from './text-report.js';

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

function testcase(report: ScenarioReport): string {
  // classname groups testcases by folder (`mailhop.scenarios`), the way CI servers group by package.
  const folder = report.file ? dirname(report.file).replace(/^\.\/?/, '').replace(/[\\/]+/g, '.').replace(/^\.+|\.+$/g, '') : '';
  const classname = folder ? `mailhop.${folder}` : 'mailhop';
  const attrs = `name="${xmlEscape(report.name)}" classname="${xmlEscape(classname)}"${report.file ? ` file="${xmlEscape(report.file)}"` : ''}`;
  const table = xmlEscape(plainTable(report));
  if (report.skipped) return `    <testcase ${attrs}>\n      <skipped message="${xmlEscape(report.skipped)}"/>\n    </testcase>`;
  const failure = report.passed
    ? ''
    : `\n      <failure message="${xmlEscape(report.failures.join('; ') || 'the scenario failed')}" type="mailhop.expectation">${table}</failure>`;
  return `    <testcase ${attrs}>${failure}\n      <system-out>${table}</system-out>\n    </testcase>`;
}

/**
 * @example renderJunit(reports) // '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mailhop" tests="2" failures="1">…'
 */
export function renderJunit(reports: readonly ScenarioReport[], suiteName = 'mailhop'): string {
  const failures = reports.filter((r) => !r.passed).length;
  const skipped = reports.filter((r) => r.skipped).length;
  const counts = `tests="${reports.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suiteName)}" ${counts}>`,
    `  <testsuite name="${xmlEscape(suiteName)}" ${counts}>`,
    ...reports.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
