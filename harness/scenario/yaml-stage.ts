/**
 * The YAML stage every mailhop file goes through before its schema (scenario files, preset files): size, alias
 * limits, syntax, duplicate keys and a mapping at the top, then the plain data; and placing the schema's problems
 * back at their nodes as `file:line:column` with a key path. Hostile input is bounded here: files over 1 MiB are
 * refused unread, and alias expansion is capped (a "billion laughs" document would otherwise make zod walk the
 * shared subtrees exponentially often).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { duplicateKeys, findAlias, nodeAt } from './yaml-nodes.js';
import { describe, formatPath, oneLine, type Explained } from './zod-issue-message.js';
import { escapeControls } from '../report/terminal-safe.js';

/** Largest scenario or preset file accepted, in bytes (1 MiB). */
export const MAX_BYTES = 1024 * 1024;
/** yaml's `maxAliasCount`: how many nodes alias expansion may produce before the document is refused. */
const MAX_ALIAS_COUNT = 100;
/** Problems listed per file; the rest are counted in one last line. */
const MAX_PROBLEMS = 50;

/** One thing wrong with a scenario (or preset) file. */
export interface ScenarioProblem {
  /** The path as given (for files found in a directory: the directory joined with the relative path). */
  file: string;
  /** 1-based; 0 for the file as a whole (a preset file that is missing or unreadable). */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path such as `hops[1].inbound.starttls` or `expect.links["a->b"]`; `''` when the problem has none. */
  path: string;
  message: string;
}

/**
 * One problem as a line, safe to print (a control character in a file name, key or value shows as `\xHH`):
 * `file:line:column: path: message`, or `file: message` for the file as a whole (line 0: missing, unreadable).
 */
export function formatProblem(p: ScenarioProblem): string {
  return escapeControls(`${p.file}${p.line ? `:${p.line}:${p.column}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
}

/** Where a byte offset of the text is, as `{ file, line, column }` (1-based). */
export type Where = (offset: number | undefined) => { file: string; line: number; column: number };

/** A parsed YAML document that passed the YAML stage, or the problems that stopped it. */
export type ParsedYaml = { doc: Document.Parsed; where: Where } | { problems: ScenarioProblem[] };

/**
 * The YAML stage: size, aliases, syntax and duplicate keys, and a mapping at the top.
 * @param topLevel what the top mapping holds, for the problem when it is not one, e.g. `a scenario must be a
 *   mapping (name, hops, messages, ...)`.
 */
export function parseYaml(text: string, file: string, topLevel: string): ParsedYaml {
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
    return { problems: [{ file, line: 1, column: 1, path: '', message: `${topLevel}; got ${got}` }] };
  }
  return { doc, where };
}

/** The document as plain data (aliases expanded within the cap), or the problem that stopped it. */
export function toData(doc: Document.Parsed, where: Where): { data: unknown } | { problems: ScenarioProblem[] } {
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
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
}

/** Places explained problems at their nodes (only those that will be shown: locating scans the mappings). */
export function locateProblems(explained: readonly Explained[], doc: Document.Parsed, where: Where): ScenarioProblem[] {
  const problems = explained.slice(0, MAX_PROBLEMS + 1).map((p) => {
    const target = nodeAt(doc, p.at);
    const node = p.onKey && target.found ? target.key ?? target.node : target.node;
    return { ...where(node.range?.[0]), path: formatPath(p.path), message: p.message };
  });
  return capProblems(problems, explained.length);
}

/** The problem for a file over MAX_BYTES. */
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

/** Problems by position (line, then column); a new array. */
export function sortProblems(problems: ScenarioProblem[]): ScenarioProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
