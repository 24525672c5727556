/**
 * Checks a TLS-RPT report against schemas/tlsrpt.schema.json (written from RFC 8460 §4.4, shipped with the package)
 * with ajv, and names each violation by its JSON path (`$.policies[0].summary.total-failure-session-count`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { packageRoot } from '../cli/package-root.js';
import { MailhopError } from '../errors.js';

/** One way a report breaks the schema. */
export interface SchemaViolation {
  /** JSON path of the offending value, `$` for the report itself, e.g. `$.policies[0].policy.policy-type`. */
  path: string;
  /** What is wrong, in ajv's words, e.g. `must be equal to one of the allowed values (sts, tlsa, no-policy-found)`. */
  message: string;
}

/** The schema file, absolute. */
export function tlsRptSchemaPath(): string {
  const root = packageRoot();
  if (!root) throw MailhopError.of('EINTERNAL', { where: 'schemas/tlsrpt.schema.json', what: 'find the schema', why: 'mailhop\'s package.json was not found above this module' });
  return path.join(root.dir, 'schemas', 'tlsrpt.schema.json');
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  // ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
  const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  compiled = ajv.compile(JSON.parse(readFileSync(tlsRptSchemaPath(), 'utf8')) as object);
  return compiled;
}

/** The violations of `report` against the schema; empty when it conforms. */
export function tlsRptViolations(report: unknown): SchemaViolation[] {
  const validate = validator();
  if (validate(report)) return [];
  return (validate.errors ?? []).map(violationOf);
}

function violationOf(e: ErrorObject): SchemaViolation {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at = '$' + parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  let message = e.message ?? e.keyword;
  if (e.keyword === 'required') at += `.${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === 'required') message = 'is required';
  if (e.keyword === 'enum') message += ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`;
  return { path: at, message };
}
