/**
 * Loading scenario files: YAML -> zod -> a frozen `Scenario`, or one `ScenarioError` that lists every problem
 * of every file as `<file>:<line>:<column>: <path>: <message>`.
 *
 * Hostile input is bounded before it reaches zod: files over 1 MiB are refused unread, and alias expansion is
 * capped (a "billion laughs" document would otherwise make zod walk the shared subtrees exponentially often).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { MailhopError } from '../errors.js';
import { Scenario } from './schema.js';
import { externalAddresses } from './external-addresses.js';
import { resolveMessageFiles } from './message-files.js';
import { duplicateKeys, findAlias, nodeAt } from './yaml-nodes.js';
import { describe, explain, formatPath, oneLine } from './zod-issue-message.js';
import { escapeControls } from '../report/terminal-safe.js';

/** Largest scenario file accepted, in bytes (1 MiB). */
const MAX_BYTES = 1024 * 1024;
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

/** A validated scenario; both the object and the scenario are deep-frozen. */
export interface LoadedScenario {
  readonly file: string;
  readonly scenario: Scenario;
}

/**
 * Thrown (code `ESCENARIO`) when one or more scenario files are malformed. `message` has one line per problem
 * (files in load order, each file's problems by position), exactly
 * `<file>:<line>:<column>: <path>: <message>`, or `<file>:<line>:<column>: <message>` when there is no key path.
 * @example
 *   scenarios/a.yaml:5:17: hops[0].inbound.starttls: must be one of offer, none, require, hidden, implicit, fake-454, fake-502, fake-reply, break-handshake, vulnerable-injection; got "offr"
 */
export class ScenarioError extends MailhopError {
  readonly problems: readonly ScenarioProblem[];

  constructor(problems: ScenarioProblem[]) {
    super('ESCENARIO', problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}

/** One line per problem, safe to print: a control character in a file name, a key or a value shows as `\xHH`. */
function formatProblem(p: ScenarioProblem): string {
  return escapeControls(`${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
}

/**
 * Parses and validates one scenario given as text; defaults are filled in and durations become milliseconds.
 *
 * @param text YAML source.
 * @param file name used in problem locations (nothing is read from it).
 * @returns `{ file, scenario }`, deep-frozen.
 * @throws ScenarioError listing every problem of the text.
 * @example
 *   const { scenario } = loadScenarioText('name: plain\nhops: [{id: mx}]\nmessages: [...]', 'inline.yaml');
 */
export function loadScenarioText(text: string, file: string, options: LoadOptions = {}): LoadedScenario {
  const checked = checkText(text, file, options);
  if (checked.problems.length) throw new ScenarioError(sortProblems(checked.problems));
  return deepFreeze({ file, scenario: checked.scenario! });
}

/**
 * Reads one scenario file (refused unread when over 1 MiB) and validates it like `loadScenarioText`.
 *
 * @throws ScenarioError for every problem, including a missing or unreadable file.
 */
export async function loadScenarioFile(path: string, options: LoadOptions = {}): Promise<LoadedScenario> {
  const checked = await checkFile(path, options);
  if (checked.problems.length) throw new ScenarioError(sortProblems(checked.problems));
  return deepFreeze({ file: path, scenario: checked.scenario! });
}

/**
 * Loads scenarios from files and directories. Directories are searched recursively for `*.yaml` and `*.yml`
 * (sorted by path; `schema.json` is never a scenario); files named explicitly are loaded whatever their extension;
 * a file reached twice is loaded once. Scenario `name`s must be unique across all files.
 *
 * @returns the scenarios in argument order, directory contents sorted by path.
 * @throws ScenarioError listing the problems of all files at once (no partial result), including paths that do
 *   not exist, directories without scenario files, and duplicate names (reported at the later file's `name`).
 */
export async function loadScenarios(paths: string[], options: LoadOptions = {}): Promise<LoadedScenario[]> {
  // In argument order: a file to check, or a problem with a path itself.
  const entries: (string | ScenarioProblem)[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const problems: ScenarioProblem[] = [];
    for (const file of await expandPath(path, problems)) {
      const real = await realpath(file).catch(() => file);
      if (!seen.has(real)) {
        seen.add(real);
        entries.push(file);
      }
    }
    entries.push(...problems);
  }
  const files = entries.filter((e): e is string => typeof e === 'string');
  const checked = new Map<string, Checked>();
  for (const file of files) checked.set(file, await checkFile(file, options)); // one at a time: no EMFILE on big trees
  const firstByName = new Map<string, string>();
  for (const [file, result] of checked) {
    if (!result.name) continue;
    const first = firstByName.get(result.name.value);
    if (first === undefined) firstByName.set(result.name.value, file);
    else {
      const message = `duplicate scenario name "${result.name.value}" (also used by ${first})`;
      result.problems.push({ ...result.name.at, path: 'name', message });
    }
  }
  const problems = entries.flatMap((e) => (typeof e === 'string' ? sortProblems(checked.get(e)!.problems) : [e]));
  if (problems.length) throw new ScenarioError(problems);
  return files.map((file) => deepFreeze({ file, scenario: checked.get(file)!.scenario! }));
}

/** Files a path stands for; problems for a path that does not exist or a directory without scenarios. */
async function expandPath(path: string, problems: ScenarioProblem[]): Promise<string[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => err);
  if (info instanceof Error) {
    problems.push({ file: path, line: 1, column: 1, path: '', message: fsMessage(info, path) });
    return [];
  }
  if (!info.isDirectory()) return [path];
  const found: string[] = [];
  const before = problems.length;
  await walk(path, found, new Set(), problems);
  if (!found.length && problems.length === before) {
    const message = 'no scenario files (*.yaml, *.yml) in this directory';
    problems.push({ file: path, line: 1, column: 1, path: '', message });
  }
  return found.sort();
}

async function walk(dir: string, found: string[], visited: Set<string>, problems: ScenarioProblem[]): Promise<void> {
  try {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isDirectory());
      if (isDir) await walk(path, found, visited, problems);
      else if (/\.ya?ml$/.test(entry.name)) found.push(path);
    }
  } catch (err) {
    problems.push({ file: dir, line: 1, column: 1, path: '', message: fsMessage(err as NodeJS.ErrnoException) });
  }
}

/**
 * For a relative path that is not there: where it was looked for, and the bundled copy when the path names one
 * (a project that installed mailhop has its scenarios under node_modules/mailhop/, not under ./scenarios/).
 */
function missingHint(file: string): string {
  if (isAbsolute(file)) return '';
  const bundled = join('node_modules', 'mailhop', file);
  return ` (looked for ${resolve(file)})${existsSync(bundled) ? `; mailhop's bundled copy is ${bundled}` : ''}`;
}

function fsMessage(err: NodeJS.ErrnoException, file?: string): string {
  if (err.code === 'ENOENT') return `no such file or directory${file ? missingHint(file) : ''}`;
  if (err.code === 'EISDIR') return 'is a directory, not a scenario file';
  return `cannot read: ${err.message}`;
}

/** What checking one file found: its problems, the scenario when there are none, and its `name` when readable. */
interface Checked {
  problems: ScenarioProblem[];
  scenario?: Scenario;
  name?: { value: string; at: { file: string; line: number; column: number } };
}

async function checkFile(file: string, options: LoadOptions): Promise<Checked> {
  const at = { file, line: 1, column: 1, path: '' };
  try {
    const info = await stat(file);
    // A FIFO or a device (/dev/zero) would block or never end; only regular files are read.
    if (info.isDirectory()) return { problems: [{ ...at, message: 'is a directory, not a scenario file' }] };
    if (!info.isFile()) return { problems: [{ ...at, message: 'is not a regular file' }] };
    if (info.size > MAX_BYTES) return { problems: [{ ...at, message: tooBig(info.size) }] };
    return checkText(await readFile(file, 'utf8'), file, { baseDir: dirname(file), ...options });
  } catch (err) {
    return { problems: [{ ...at, message: fsMessage(err as NodeJS.ErrnoException, file) }] };
  }
}

function tooBig(bytes: number): string {
  return `file is ${bytes} bytes; scenario files are limited to ${MAX_BYTES} bytes (1 MiB)`;
}

function checkText(text: string, file: string, options: LoadOptions): Checked {
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

function sortProblems(problems: ScenarioProblem[]): ScenarioProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
