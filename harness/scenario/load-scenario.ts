/**
 * Loading scenario files: YAML -> zod -> a frozen `Scenario`, or one `ScenarioError` that lists every problem
 * of every file as `<file>:<line>:<column>: <path>: <message>`.
 *
 * Hostile input is bounded before it reaches zod: files over 1 MiB are refused unread, and alias expansion is
 * capped (a "billion laughs" document would otherwise make zod walk the shared subtrees exponentially often).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MailhopError } from '../errors.js';
import type { Scenario } from './schema.js';
import { formatProblem } from './yaml-stage.js';
import { checkText, MAX_BYTES, sortProblems, tooBig, type Checked, type LoadOptions, type ScenarioProblem } from './check-text.js';
import { expandPath, fsMessage } from './scenario-paths.js';

export type { LoadOptions, ScenarioProblem } from './check-text.js';

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
 *   scenarios/a.yaml:5:17: hops[0].inbound.starttls: must be one of offer, none, hidden, implicit, fake-454, fake-502, require, fake-reply, break-handshake, vulnerable-injection; got "offr"
 */
export class ScenarioError extends MailhopError {
  readonly problems: readonly ScenarioProblem[];

  constructor(problems: ScenarioProblem[]) {
    super('ESCENARIO', problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
