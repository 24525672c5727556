/**
 * Checking one scenario text: the YAML stage (size, aliases, syntax, duplicate keys, a mapping at the top)
 * and the scenario stage (zod, external addresses, message files), every problem located at its node as
 * `file:line:column` with its key path. Pure apart from reading the files a message names.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { Scenario } from './schema.js';
import { externalAddresses } from './external-addresses.js';
import { resolveMessageFiles } from './message-files.js';
import { duplicateKeys, findAlias, nodeAt } from './yaml-nodes.js';
import { describe, explain, formatPath, oneLine } from './zod-issue-message.js';

/** Largest scenario file accepted, in bytes (1 MiB). */
export const MAX_BYTES = 1024 * 1024;
/** yaml's `maxAliasCount`: how many nodes alias expansion may produce before the document is refused. */
const MAX_ALIAS_COUNT = 100;
/** Problems listed per file; the rest are counted in one last line. */
const MAX_PROBLEMS = 50;

/** One thing wrong with a scenario file. */
export interface ScenarioProblem {
  /** The path as given (for files found in a directory: the directory joined with the relative path). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path such as `hops[1].inbound.starttls` or `expect.links["a->b"]`; `''` when the problem has none. */
  path: string;
  message: string;
}

/** Options of the loaders. */
export interface LoadOptions {
  /**
   * Accept non-loopback addresses on `engine: external` hops and the hop after one (a gateway on another
   * machine: `--allow-external`). Default false: they are problems of the file, as `run` and `up` would refuse them.
   */
  allowExternal?: boolean;
  /** Where a message's `bodyFile` and attachment paths start from (default: the scenario file's folder, else the working directory). */
  baseDir?: string;
}

/** What checking one file found: its problems, the scenario when there are none, and its `name` when readable. */
export interface Checked {
  problems: ScenarioProblem[];
  scenario?: Scenario;
  name?: { value: string; at: { file: string; line: number; column: number } };
}

type Where = (offset: number | undefined) => { file: string; line: number; column: number };

/** A parsed YAML document that passed the YAML stage, or the problems that stopped it. */
type ParsedYaml = { doc: Document.Parsed; where: Where } | { problems: ScenarioProblem[] };

/** Checks one scenario text; the scenario when it has no problem. */
export function checkText(text: string, file: string, options: LoadOptions): Checked {
  const parsed = parseYaml(text, file);
  return 'problems' in parsed ? { problems: parsed.problems } : checkScenario(parsed.doc, parsed.where, file, options);
}

/** The YAML stage: size, aliases, syntax and duplicate keys, and a mapping at the top. */
function parseYaml(text: string, file: string): ParsedYaml {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_BYTES) return { problems: [{ file, line: 1, column: 1, path: '', message: tooBig(bytes) }] };
  const lineCounter = new LineCounter();
  // yaml's own duplicate-key check compares every key with every earlier one: quadratic, tens of seconds for a
  // 1 MiB file of distinct keys. duplicateKeys() below does the same job with a Set.
  // logLevel 'error': yaml would print a process warning for a collection used as a key; the key is reported
  // as unknown instead.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  const where = (offset: number | undefined) => {
    const { line, col } = offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  // Warnings (an unresolved tag, say) are refused too: the file would silently mean something else.
  // Each alias resolution scans the document (in yaml and in keyText), so more than a few aliases is quadratic
  // even when every one expands to a single node: refuse them before anything resolves one.
  const extraAlias = findAlias(doc, (_alias, i) => i === MAX_ALIAS_COUNT);
  if (extraAlias) {
    const message = `more than ${MAX_ALIAS_COUNT} aliases; refusing a possible "billion laughs" document`;
    return { problems: [{ ...where(extraAlias.range?.[0]), path: '', message }] };
  }
  const yamlProblems = [
    ...[...doc.errors, ...doc.warnings].map((err) => ({
      ...where(err.pos[0]),
      path: '',
      message: `invalid YAML: ${yamlMessage(err.message)}`,
    })),
    ...duplicateKeys(doc).map((dup) => ({
      ...where(dup.offset),
      path: formatPath(dup.path),
      message: `duplicate key "${dup.key}"`,
    })),
  ];
  if (yamlProblems.length) return { problems: capProblems(yamlProblems) };

  if (!isMap(doc.contents)) {
    const contents = doc.contents;
    const got = contents === null ? 'an empty document'
      : isScalar(contents) ? describe(contents.value)
      : isSeq(contents) ? 'an array' : 'an alias';
    const message = `a scenario must be a mapping (name, hops, messages, ...); got ${got}`;
    return { problems: [{ file, line: 1, column: 1, path: '', message }] };
  }
  return { doc, where };
}

/** The scenario stage: zod, then (when valid) external addresses and the message files, each problem located. */
function checkScenario(doc: Document.Parsed, where: Where, file: string, options: LoadOptions): Checked {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = (err as Error).message;
    const source = /^Unresolved alias.*: (.*)$/.exec(message)?.[1];
    const alias = findAlias(doc, (node) => source === undefined || node.source === source);
    return {
      problems: [{
        ...where(alias?.range?.[0]),
        path: '',
        message: message.startsWith('Excessive alias count')
          ? `aliases expand to too many nodes (limit ${MAX_ALIAS_COUNT}); refusing a possible "billion laughs" document`
          : `invalid YAML: ${yamlMessage(message)}`,
      }],
    };
  }

  const nameNode = nodeAt(doc, ['name']);
  const name = typeof (data as { name?: unknown }).name === 'string' && nameNode.found
    ? { value: (data as { name: string }).name, at: where(nameNode.node.range?.[0]) }
    : undefined;
  const parsed = Scenario.safeParse(data);
  const external = parsed.success && !options.allowExternal ? externalAddresses(parsed.data) : [];
  const files = parsed.success && !external.length ? resolveMessageFiles(parsed.data, options.baseDir ?? process.cwd()) : undefined;
  if (files && !files.problems.length) return { problems: [], scenario: files.scenario, name };
  const explained = files
    ? files.problems.map((p) => ({ at: p.path, onKey: false, path: p.path, message: p.message }))
    : parsed.success
      ? external.map((a) => ({ at: a.path, onKey: false, path: a.path, message: a.message }))
      : parsed.error.issues.flatMap((issue) => explain(issue, [], data));
  // Locating a problem scans its mappings; only locate what will be shown.
  const problems = explained.slice(0, MAX_PROBLEMS + 1).map((p) => {
    const target = nodeAt(doc, p.at);
    const node = p.onKey && target.found ? target.key ?? target.node : target.node;
    return { ...where(node.range?.[0]), path: formatPath(p.path), message: p.message };
  });
  return { problems: capProblems(problems, explained.length), name };
}

export function tooBig(bytes: number): string {
  return `file is ${bytes} bytes; scenario files are limited to ${MAX_BYTES} bytes (1 MiB)`;
}

/** The first MAX_PROBLEMS problems by position, then one line saying how many more there are. */
function capProblems(problems: ScenarioProblem[], total = problems.length): ScenarioProblem[] {
  const sorted = sortProblems(problems);
  if (total <= MAX_PROBLEMS) return sorted;
  const shown = sorted.slice(0, MAX_PROBLEMS);
  const last = shown[shown.length - 1];
  return [...shown, { ...last, path: '', message: `${total - MAX_PROBLEMS} more problems not shown` }];
}

function yamlMessage(message: string): string {
  return message.startsWith('Maximum call stack') ? 'collections nested too deeply' : oneLine(message);
}

export function sortProblems(problems: ScenarioProblem[]): ScenarioProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

