/**
 * A preset file: one product's behaviour as YAML data (presets/*.yaml in the package, or a user's own file named by
 * path in `preset:`), checked like a scenario file (YAML stage, then zod, every problem at its `file:line:column`).
 *
 * Besides the hop keys the preset fills in (`inbound.received`, `outbound.*`, parsed by the scenario's own
 * `Outbound` schema), a preset carries its evidence: `behaviour`, one entry per thing the product does, each
 * naming the keys that model it, the `mailhop audit` cases that exercise it, and the source it rests on (a
 * public document, or "observed with <product> <version>"). Every key the preset sets must be cited by one entry,
 * so nothing in a preset is an unsourced guess.
 *
 * This module must not import scenario/schema.ts (or hop.ts) at run time: hop.ts imports the preset registry.
 */
import { z } from 'zod';
import type { Document } from 'yaml';
import { Outbound, ReceivedFormat } from '../scenario/policies.js';
import { explain, type Explained } from '../scenario/zod-issue-message.js';
import { locateProblems, parseYaml, toData, type ScenarioProblem } from '../scenario/yaml-stage.js';
import { AUDIT_CASES } from '../audit/battery.js';
import type { MtaPreset } from './mta-preset.js';

/** A hop key a preset can set or need, dotted: `outbound.fallback`, `inbound.received`. */
const KeyPath = z.string().regex(/^(inbound|outbound)\.[A-Za-z]+$/, 'must be a hop key such as outbound.fallback or inbound.received');

const CASE_IDS = AUDIT_CASES.map((c) => c.id) as [string, ...string[]];

/** One behaviour of the product and where it is documented or was observed. */
const Behaviour = z.strictObject({
  /** What the product does, in one line (`454 to STARTTLS: plaintext in the same session`). */
  does: z.string().min(1),
  /** The preset keys that model it (`outbound.starttlsRejected`); none when it only explains. */
  keys: z.array(KeyPath).default([]),
  /** The `mailhop audit` cases that show it. */
  cases: z.array(z.enum(CASE_IDS)).default([]),
  /** A public source (`[PF-conf] smtp_tls_security_level`, a docs/behaviour.md anchor) or `observed with <product> <version> ...`. */
  source: z.string().min(1),
});

/** A key the hop must write itself, since the preset cannot know it (MessageLabs' partner domains). */
const Need = z.strictObject({
  key: KeyPath,
  /** What the key holds, for the problem text: `the partner domains`. */
  what: z.string().min(1),
  /** How the hop writes it: `outbound: { enforce: [partner.test] }`. */
  example: z.string().min(1),
});

/** A preset file as written; `name` is what `preset:` and `mailhop audit --compare` call it. */
export const PresetFile = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (lower-case letters, digits and single dashes)'),
  /** The product and the configuration copied, e.g. `Postfix, smtp_tls_security_level = may`. */
  product: z.string().min(1),
  inbound: z.strictObject({ received: ReceivedFormat }),
  outbound: Outbound,
  /** Keys of docs/sources.md and docs/behaviour.md anchors the whole preset rests on. */
  sources: z.array(z.string().min(1)).default([]),
  /** `mailhop presets` columns that are mailhop's default because no source documents them (shown with `*`). */
  assumed: z.array(z.enum(['fallback', 'on454', 'tls'])).default([]),
  needs: z.array(Need).default([]),
  /** What the preset does not model. */
  note: z.string().default(''),
  behaviour: z.array(Behaviour).min(1, 'must list at least one behaviour with its source'),
});

/** What checking one preset text found: the preset when there is no problem. */
export interface CheckedPreset {
  problems: ScenarioProblem[];
  preset?: MtaPreset;
}

/**
 * Checks one preset file's text.
 * @param file the name used in problem locations, and kept as the preset's `file`.
 * @param bundledName for a file shipped in the package: the name it must carry (its file name); for a user's
 *   file: undefined, and then the name must not be a bundled preset's (`reserved`).
 */
export function checkPresetText(text: string, file: string, expect: { bundledName?: string; reserved?: readonly string[] } = {}): CheckedPreset {
  const parsed = parseYaml(text, file, 'a preset must be a mapping (name, product, inbound, outbound, behaviour, ...)');
  if ('problems' in parsed) return { problems: parsed.problems };
  const read = toData(parsed.doc, parsed.where);
  if ('problems' in read) return { problems: read.problems };
  const result = PresetFile.safeParse(read.data);
  if (!result.success) {
    const explained = result.error.issues.flatMap((issue) => explain(issue, [], read.data, PresetFile));
    return { problems: locateProblems(explained, parsed.doc, parsed.where) };
  }
  const raw = read.data as { inbound: { received: string }; outbound: Record<string, unknown> };
  const explained = [...citationProblems(result.data, raw), ...nameProblems(result.data.name, expect)];
  if (explained.length) return { problems: locateProblems(explained, parsed.doc as Document.Parsed, parsed.where) };
  const { name, product, sources, assumed, needs, note, behaviour } = result.data;
  // The hop keys as written (durations as text): they are merged under a hop's own keys before it is parsed.
  return { problems: [], preset: { name, product, inbound: raw.inbound, outbound: raw.outbound, sources, assumed, needs, note, behaviour, file } as MtaPreset };
}

/** Every key the preset writes is cited by a behaviour; every cited or needed key is one the preset has or the hop gives. */
function citationProblems(preset: z.output<typeof PresetFile>, raw: { inbound: object; outbound: object }): Explained[] {
  const written = [...Object.keys(raw.inbound).map((k) => `inbound.${k}`), ...Object.keys(raw.outbound).map((k) => `outbound.${k}`)];
  const cited = new Set(preset.behaviour.flatMap((b) => b.keys));
  const problems: Explained[] = written
    .filter((key) => !cited.has(key))
    .map((key) => {
      const [section, name] = key.split('.');
      return { at: [section, name], onKey: true, path: [section, name], message: `no behaviour cites a source for ${key}: add it to the keys of the behaviour entry that documents it` };
    });
  const needed = new Set(preset.needs.map((n) => n.key));
  preset.behaviour.forEach((b, i) =>
    b.keys.forEach((key, j) => {
      if (!written.includes(key) && !needed.has(key)) {
        problems.push({ at: ['behaviour', i, 'keys', j], onKey: false, path: ['behaviour', i, 'keys', j], message: `${key} is not set by this preset (set keys: ${written.join(', ')})` });
      }
    }),
  );
  return problems;
}

function nameProblems(name: string, expect: { bundledName?: string; reserved?: readonly string[] }): Explained[] {
  const at = { at: ['name'], onKey: false, path: ['name'] };
  if (expect.bundledName !== undefined && name !== expect.bundledName) return [{ ...at, message: `must be the file's name, ${expect.bundledName}; got "${name}"` }];
  if (expect.bundledName === undefined && expect.reserved?.includes(name)) {
    return [{ ...at, message: `"${name}" is a bundled preset's name: give your preset its own name (it is how reports and --compare call it)` }];
  }
  return [];
}
