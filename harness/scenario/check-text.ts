/**
 * Checking one scenario text: the YAML stage (size, aliases, syntax, duplicate keys, a mapping at the top)
 * and the scenario stage (zod, external addresses, message files), every problem located at its node as
 * `file:line:column` with its key path. Pure apart from reading the files a message names.
 */
import type { Document } from 'yaml';
import { Scenario } from './schema.js';
import { externalAddresses } from './external-addresses.js';
import { resolveMessageFiles } from './message-files.js';
import { nodeAt } from './yaml-nodes.js';
import { isAbsolute, resolve } from 'node:path';
import { isPresetFile } from '../presets/index.js';
import { explain } from './zod-issue-message.js';
import { locateProblems, parseYaml, toData, type ScenarioProblem, type Where } from './yaml-stage.js';

export { MAX_BYTES, sortProblems, tooBig, type ScenarioProblem } from './yaml-stage.js';

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

/** Checks one scenario text; the scenario when it has no problem. */
export function checkText(text: string, file: string, options: LoadOptions): Checked {
  const parsed = parseYaml(text, file, 'a scenario must be a mapping (name, hops, messages, ...)');
  return 'problems' in parsed ? { problems: parsed.problems } : checkScenario(parsed.doc, parsed.where, file, options);
}

/** The scenario stage: zod, then (when valid) external addresses and the message files, each problem located. */
function checkScenario(doc: Document.Parsed, where: Where, file: string, options: LoadOptions): Checked {
  const read = toData(doc, where);
  if ('problems' in read) return { problems: read.problems };
  const data = read.data;
  const top = data as Record<string, unknown>;
  if ('product' in top && 'behaviour' in top && !('hops' in top)) {
    const message = 'is a preset file (product, behaviour), not a scenario: name it in a hop\'s preset: (./file.yaml) and check it with mailhop presets <file>; named *.preset.yaml, folder runs skip it';
    return { problems: [{ file, line: 1, column: 1, path: '', message }] };
  }

  const nameNode = nodeAt(doc, ['name']);
  const name = typeof (data as { name?: unknown }).name === 'string' && nameNode.found
    ? { value: (data as { name: string }).name, at: where(nameNode.node.range?.[0]) }
    : undefined;
  absolutePresetFiles(data, options.baseDir ?? process.cwd());
  const parsed = Scenario.safeParse(data);
  const external = parsed.success && !options.allowExternal ? externalAddresses(parsed.data) : [];
  const files = parsed.success && !external.length ? resolveMessageFiles(parsed.data, options.baseDir ?? process.cwd()) : undefined;
  if (files && !files.problems.length) return { problems: [], scenario: files.scenario, name };
  const explained = files
    ? files.problems.map((p) => ({ at: p.path, onKey: false, path: p.path, message: p.message }))
    : parsed.success
      ? external.map((a) => ({ at: a.path, onKey: false, path: a.path, message: a.message }))
      : parsed.error.issues.flatMap((issue) => explain(issue, [], data, Scenario));
  return { problems: locateProblems(explained, doc, where), name };
}

/**
 * A hop's `preset:` that names a preset file is read relative to the scenario's folder (as `bodyFile` is): the path
 * is made absolute in the data before zod sees it (positions come from the YAML nodes, so they are unchanged).
 */
function absolutePresetFiles(data: unknown, baseDir: string): void {
  const hops = (data as { hops?: unknown }).hops;
  if (!Array.isArray(hops)) return;
  for (const hop of hops) {
    if (typeof hop !== 'object' || hop === null) continue;
    const ref = (hop as { preset?: unknown }).preset;
    if (typeof ref === 'string' && isPresetFile(ref) && !isAbsolute(ref)) (hop as { preset: string }).preset = resolve(baseDir, ref);
  }
}
