/**
 * Turns zod issues into scenario problems in mailhop's words (`must be one of ...; got ...`,
 * `unknown key "x" (allowed: ...)`), with the key path to print and the path to point at.
 */
import { z } from 'zod';
import { DurationInput } from './duration.js';

export type Segment = PropertyKey;

/** A problem before it has a position: where to point (`at`, `onKey`), the key path to print, and the text. */
export interface Explained {
  at: Segment[];
  onKey: boolean;
  path: Segment[];
  message: string;
}

/**
 * Turns one zod issue into problems with messages in mailhop's words (`must be ...; got ...`).
 * @param root the schema `data` was parsed with (the scenario's, or a preset file's): allowed keys are read from it.
 */
export function explain(issue: z.core.$ZodIssue, prefix: Segment[], data: unknown, root: z.ZodType): Explained[] {
  const path = [...prefix, ...issue.path];
  const value = valueAt(data, path);
  const parentPath = path.slice(0, -1);
  const one = (message: string, onKey = false): Explained[] => [{ at: path, onKey, path, message }];
  const got = `got ${describe(value.value)}`;
  switch (issue.code) {
    case 'invalid_type':
      return explainType(issue, { path, value, data, one, got, root });
    case 'invalid_value':
      // engine-hop.ts words what an engine cannot do; zod's own start with "Invalid".
      if (!issue.message.startsWith('Invalid')) return one(oneLine(issue.message));
      return one(`${mustBeOneOf(issue.values)}; ${got}`);
    case 'unrecognized_keys': {
      // Keys a variant declares only to say why it cannot take them (z.never) are not offered.
      const shape = objectSchemaAt(root, path, data)?.shape ?? {};
      const allowed = Object.keys(shape).filter((key) => !(unwrap(shape[key] as z.ZodType, undefined) instanceof z.ZodNever));
      const hint = allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
      return issue.keys.map((key) => ({ at: [...path, key], onKey: true, path, message: `unknown key "${key}"${hint}` }));
    }
    case 'invalid_key': {
      const key = String(path[path.length - 1]);
      return issue.issues.map((i) => ({
        at: path, onKey: true, path: parentPath, message: `key "${key}" ${oneLine(i.message)}`,
      }));
    }
    case 'invalid_union':
      return explainUnion(issue, { path, value, data, one, got, root });
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      const limit = `${small ? 'at least' : 'at most'} ${bound}`;
      if (issue.origin === 'array') return one(`must have ${limit} item${bound === 1 ? '' : 's'}`);
      if (issue.origin === 'string') return one(`must be ${limit} characters long`);
      // schema.ts words some bounds itself ("must be at least 1s (a retry delay)"); zod's own start with "Too".
      if (!issue.message.startsWith('Too ')) return one(`${oneLine(issue.message)}; ${got}`);
      const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return one(`must be ${op} ${bound}; ${got}`);
    }
    case 'custom': {
      // Problems with a record's key (a link name in expect.links) point at the key, not at its verdict, and so
      // do those that ask for it (a limit on a whole list: scenario-limits.ts).
      const onKey = issue.params?.onKey === true || schemaAt(root, parentPath, data) instanceof z.ZodRecord;
      return one(oneLine(issue.message), onKey);
    }
    case 'invalid_format': {
      // schema.ts gives its regexes messages ("must be kebab-case"); zod's own start with "Invalid".
      const rule = issue.message.startsWith('Invalid') ? `must match ${issue.pattern ?? issue.format}` : oneLine(issue.message);
      return one(`${rule}; ${got}`);
    }
    default:
      return one(oneLine(issue.message));
  }
}

/** What every case of {@link explain} works from: the issue's path, the value there, the whole data, and helpers. */
interface IssueContext {
  path: Segment[];
  value: { value: unknown; missing: boolean };
  data: unknown;
  one: (message: string, onKey?: boolean) => Explained[];
  /** `got <the value>`. */
  got: string;
  /** The schema the whole data was parsed with. */
  root: z.ZodType;
}

/** A value of the wrong type, or a required key that is missing. */
function explainType(issue: z.core.$ZodIssueInvalidType, { path, value, data, one, got, root }: IssueContext): Explained[] {
  const parentPath = path.slice(0, -1);
  const parent = valueAt(data, parentPath);
  const key = path[path.length - 1];
  // schema.ts words some problems itself (a key a hop kind needs, a key it cannot take); zod's own start with "Invalid".
  const own = !issue.message.startsWith('Invalid');
  if (value.missing && path.length && isRecord(parent.value)) {
    return [own
      ? { at: parentPath, onKey: false, path, message: oneLine(issue.message) }
      : { at: parentPath, onKey: false, path: parentPath, message: `missing required key "${String(key)}"` }];
  }
  if (own) return one(oneLine(issue.message));
  if (typeof value.value === 'number') return one(`must be a finite ${issue.expected === 'int' ? 'integer' : 'number'}; ${got}`);
  return one(`must be ${article(issue.expected)}; ${got}`);
}

/** A value no alternative of a union takes: the discriminator's values, or the alternatives that came closest. */
function explainUnion(issue: z.core.$ZodIssueInvalidUnion, { path, value, data, one, got, root }: IssueContext): Explained[] {
  const extra = issue as { discriminator?: string; options?: unknown[] };
  if (extra.discriminator && extra.options) {
    // A variant's own wording (engine-hop.ts: what an engine cannot do), else the values that choose a variant.
    if (!issue.message.startsWith('Invalid')) return one(oneLine(issue.message));
    return one(`${mustBeOneOf(extra.options.filter((o) => o !== undefined && o !== null))}; ${got}`);
  }
  // Report the alternatives that got past the type check (e.g. a duration string in a bad format); when
  // none did, the value simply has the wrong type.
  const closer = issue.errors.filter((errs) => !errs.every(isTypeMismatch));
  if (closer.length) return closer.flat().flatMap((i) => explain(i, path, data, root));
  // YAML's .inf is a number to the reader, but no duration: say what a duration is, not "a number or a string".
  if (typeof value.value === 'number' && schemaAt(root, path, data) === DurationInput) {
    return one(`must be a finite duration such as 300ms, 1s, 5m, 2h or 5d (at most 3650d); ${got}`);
  }
  const expected = [...new Set(issue.errors.flat().map((i) => article((i as { expected: string }).expected)))];
  return one(`must be ${expected.join(' or ')}; ${got}`);
}

function isTypeMismatch(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.path.length === 0 && issue.expected !== 'int';
}

function mustBeOneOf(values: readonly unknown[]): string {
  return values.length === 1 ? `must be ${describe(values[0])}` : `must be one of ${values.map(String).join(', ')}`;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * A value as a problem message quotes it: scalars as JSON (long strings cut), collections by kind, and the
 * numbers JSON has no word for in YAML's spelling (`.inf`, `-.inf`, `.nan`), not as JSON's `null`.
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'string' && value.length > 60) return `${JSON.stringify(value.slice(0, 57))}...`;
  return JSON.stringify(value) ?? String(value);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(data: unknown, path: Segment[]): { value: unknown; missing: boolean } {
  let value = data;
  for (const seg of path) {
    if (!(isRecord(value) || Array.isArray(value)) || !Object.hasOwn(value, seg)) {
      return { value: undefined, missing: true };
    }
    value = (value as Record<PropertyKey, unknown>)[seg];
  }
  return { value, missing: false };
}

/** `['hops', 1, 'inbound']` -> `hops[1].inbound`; keys that are not identifiers are quoted: `links["a->b"]`. */
export function formatPath(path: Segment[]): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const key = String(seg);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/** The zod schema describing the value at `path` of `data`, following the variant the data selects. */
function schemaAt(root: z.ZodType, path: Segment[], data: unknown): z.ZodType | undefined {
  let schema: z.ZodType | undefined = unwrap(root, data);
  let value = data;
  for (const seg of path) {
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
    if (schema instanceof z.ZodObject) schema = schema.shape[String(seg)] as z.ZodType | undefined;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return undefined;
    schema = schema && unwrap(schema, value);
  }
  return schema;
}

function objectSchemaAt(root: z.ZodType, path: Segment[], data: unknown): z.ZodObject | undefined {
  const schema = schemaAt(root, path, data);
  return schema instanceof z.ZodObject ? schema : undefined;
}

/** Strips optional/default/prefault wrappers, runs preprocessing, and picks the discriminated-union variant. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType | undefined {
  for (;;) {
    if (
      schema instanceof z.ZodOptional || schema instanceof z.ZodNullable ||
      schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault
    ) {
      schema = schema.def.innerType as z.ZodType;
    } else if (schema instanceof z.ZodPipe) {
      // z.preprocess(fn, s) is pipe(transform(fn), s): apply fn so the variant is chosen as zod chooses it.
      if (schema.in instanceof z.ZodTransform) {
        const pre = schema.in.safeParse(value);
        if (pre.success) value = pre.data;
        schema = schema.out as z.ZodType;
      } else schema = schema.in as z.ZodType;
    } else if (schema instanceof z.ZodDiscriminatedUnion) {
      const discriminator = schema.def.discriminator;
      const tag = isRecord(value) ? value[discriminator] : undefined;
      // The values that choose each option (a defaulted discriminator, like a mock hop's `engine`, also takes undefined).
      return (schema.options as z.ZodType[]).find((option) => option._zod.propValues?.[discriminator]?.has(tag as never));
    } else return schema;
  }
}

