/**
 * The presets a hop can name with `preset:`: the bundled ones (one YAML file per product in the package's
 * presets/ folder, read once when this module loads) and a user's own preset files, named by path
 * (`preset: ./gateways/acme.yaml`, relative to the scenario file). Both are checked by preset-file.ts.
 *
 * This module must not import scenario/schema.ts (or hop.ts) at run time, since the schema imports it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MailhopError } from '../errors.js';
import { packageRoot } from '../cli/package-root.js';
import { formatProblem, MAX_BYTES, tooBig, type ScenarioProblem } from '../scenario/yaml-stage.js';

export { formatProblem } from '../scenario/yaml-stage.js';
import { readBounded } from '../scenario/read-bounded.js';
import { checkPresetText } from './preset-file.js';
import type { MtaPreset } from './mta-preset.js';

export type { MtaPreset, PresetOutbound, AssumedColumn, PresetBehaviour, PresetNeed } from './mta-preset.js';

/** A bundled preset's name, or a path to a preset file. */
export type PresetKey = string;

/** The package's presets/ folder. */
export const BUNDLED_PRESETS_DIR = path.join(packageRoot()?.dir ?? path.resolve(import.meta.dirname, '../..'), 'presets');

function loadBundled(): Record<string, MtaPreset> {
  const files = readdirSync(BUNDLED_PRESETS_DIR).filter((f) => f.endsWith('.yaml') && !f.startsWith('.')).sort((a, b) => a.slice(0, -5).localeCompare(b.slice(0, -5), 'en'));
  const out: Record<string, MtaPreset> = {};
  const problems: ScenarioProblem[] = [];
  for (const f of files) {
    const file = path.join(BUNDLED_PRESETS_DIR, f);
    const checked = checkPresetText(readFileSync(file, 'utf8'), file, { bundledName: f.slice(0, -'.yaml'.length) });
    if (checked.preset) out[checked.preset.name] = Object.freeze(checked.preset);
    problems.push(...checked.problems);
  }
  if (problems.length) {
    throw new MailhopError('EINTERNAL', `mailhop's bundled presets are broken (a packaging bug):\n${problems.map(formatProblem).join('\n')}`);
  }
  return out;
}

/** Every bundled preset by name, in file-name order (the order `mailhop presets` lists them). */
export const PRESETS: Readonly<Record<string, MtaPreset>> = Object.freeze(loadBundled());

/** The bundled preset names. */
export const PRESET_NAMES = Object.keys(PRESETS) as [string, ...string[]];

/** Whether `ref` names a preset file rather than a bundled preset: it has a slash or ends in `.yaml`/`.yml`. */
export function isPresetFile(ref: string): boolean {
  return ref.includes('/') || ref.includes(path.sep) || /\.ya?ml$/i.test(ref);
}

const fileCache = new Map<string, { stamp: string; result: { preset: MtaPreset } | { problems: ScenarioProblem[] } }>();

/**
 * The preset `ref` names: a bundled preset, or a preset file (relative paths from the working directory; the
 * scenario loader makes them absolute from the scenario's folder first). A file is read again when it changes.
 * @returns the preset, or the problems that stop it (an unknown name, an unreadable file, a file over 1 MiB, each
 *   problem of the file at its `file:line:column`).
 */
export function loadPreset(ref: string): { preset: MtaPreset } | { problems: ScenarioProblem[] } {
  if (Object.hasOwn(PRESETS, ref)) return { preset: PRESETS[ref] };
  // Line 0: the file as a whole (unknown, missing or unreadable), no position inside it.
  const at = { file: ref, line: 0, column: 0, path: '' };
  if (!isPresetFile(ref)) return { problems: [{ ...at, message: `no bundled preset is called "${ref}" (the presets are ${PRESET_NAMES.join(', ')}; a preset file is named by a path ending in .yaml)` }] };
  const file = path.resolve(ref);
  try {
    const info = statSync(file);
    if (!info.isFile()) return { problems: [{ ...at, message: 'is not a regular file' }] };
    if (info.size > MAX_BYTES) return { problems: [{ ...at, message: tooBig(info.size) }] };
    // Size and mtime alone would miss a same-length rewrite whose mtime was put back (cp -p, rsync).
    const stamp = `${info.ino}:${info.mtimeMs}:${info.ctimeMs}:${info.size}`;
    const cached = fileCache.get(file);
    if (cached?.stamp === stamp) return cached.result;
    // Bounded whatever stat said: a /proc file reports 0 bytes and never ends.
    const bytes = readBounded(file, MAX_BYTES);
    if (bytes.length > MAX_BYTES) return { problems: [{ ...at, message: `is over ${MAX_BYTES} bytes; preset files are limited to 1 MiB` }] };
    const checked = checkPresetText(bytes.toString('utf8'), ref, { reserved: PRESET_NAMES });
    const result = checked.preset ? { preset: Object.freeze({ ...checked.preset, file }) } : { problems: checked.problems };
    fileCache.set(file, { stamp, result });
    return result;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { problems: [{ ...at, message: e.code === 'ENOENT' ? `no such preset file (looked for ${file}; a scenario's relative paths start at its folder)` : `cannot read the preset file: ${e.message}` }] };
  }
}

/** The preset `ref` names (see loadPreset); undefined when it names none or the file has problems. */
export function presetFor(ref: string): MtaPreset | undefined {
  const loaded = loadPreset(ref);
  return 'preset' in loaded ? loaded.preset : undefined;
}

/** How reports call the preset `ref` names: its `name` (a file's own name, not its path). */
export function presetLabel(ref: string): string {
  return presetFor(ref)?.name ?? ref;
}
