/**
 * scenarios/schema.json, generated from the zod schema so editors validate and complete scenario files
 * (`$schema: ./schema.json` in a scenario, or the YAML language server's modeline).
 *
 * Run `npm run schema` after changing schema.ts; a test fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Scenario } from './schema.js';
import { PresetFile } from '../presets/preset-file.js';

/** Where `npm run schema` writes the schema. */
export const SCENARIO_JSON_SCHEMA_PATH = fileURLToPath(new URL('../../scenarios/schema.json', import.meta.url));

type JsonObject = { [key: string]: unknown };

/**
 * The JSON Schema (draft 2020-12) of a scenario file as written, i.e. zod's input form: keys with defaults are
 * optional, durations are `"5m"` strings or integers of ms.
 *
 * @returns a fresh plain object, safe to mutate.
 * @example
 *   writeFileSync('schema.json', `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
 */
export function scenarioJsonSchema(): object {
  return jsonSchemaOf(Scenario, {
    $id: 'urn:mailhop:scenario',
    title: 'mailhop scenario',
    description:
      'One mailhop scenario: a chain of mock MTAs (hops), the messages pushed through it and the verdicts ' +
      'expected per link and end to end.',
  });
}

/** zod's input-form JSON Schema of `schema`, with the defaulted discriminators made optional and `head` after `$schema`. */
function jsonSchemaOf(schema: z.ZodType, head: { $id: string; title: string; description: string }): object {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  optionalOpportunisticTls(rest);
  return { $schema, ...head, ...rest };
}

/**
 * `outbound`/`submit` are preprocessed to add `tls: opportunistic` when `tls` is absent, and `inbound` to add
 * `starttls: offer` (schema.ts `defaultTls`, `defaultStarttls`), so in the written form the discriminator is
 * optional in the variant holding the default value, and only there: the other variants still need theirs to be
 * chosen. zod cannot see through the preprocessing, so fix its `required` lists here.
 */
const DEFAULTED_DISCRIMINATORS: ReadonlyArray<[key: string, value: string]> = [['tls', 'opportunistic'], ['starttls', 'offer']];

function optionalOpportunisticTls(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(optionalOpportunisticTls);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonObject;
  for (const [key, value] of DEFAULTED_DISCRIMINATORS) {
    const property = (schema.properties as JsonObject | undefined)?.[key] as JsonObject | undefined;
    const holdsDefault = property?.const === value || (Array.isArray(property?.enum) && property.enum.includes(value));
    if (property && holdsDefault && Array.isArray(schema.required)) {
      property.default = value;
      schema.required = schema.required.filter((k) => k !== key);
      if (!(schema.required as unknown[]).length) delete schema.required;
    }
  }
  Object.values(schema).forEach(optionalOpportunisticTls);
}

/** Where `npm run schema` writes the preset files' schema (next to the bundled presets). */
export const PRESET_JSON_SCHEMA_PATH = fileURLToPath(new URL('../../presets/preset.schema.json', import.meta.url));

/**
 * The JSON Schema (draft 2020-12) of a preset file as written (presets/*.yaml, or a user's own: harness/presets/preset-file.ts).
 * The rules that span keys (every key set is cited by a behaviour) are checked by mailhop, not by the schema.
 * @returns a fresh plain object.
 */
export function presetJsonSchema(): object {
  return jsonSchemaOf(PresetFile, {
    $id: 'urn:mailhop:preset',
    title: 'mailhop preset',
    description:
      'One product\'s STARTTLS behaviour as a mailhop preset: the hop keys it fills in (inbound.received, outbound.*) and ' +
      'the behaviours they model, each with its source. Name it in a scenario with `preset: ./file.yaml`.',
  });
}

/** Writes scenarioJsonSchema() to `path`, and presetJsonSchema() to `presetPath`, pretty-printed with a trailing newline. */
export async function writeScenarioJsonSchema(path = SCENARIO_JSON_SCHEMA_PATH, presetPath = PRESET_JSON_SCHEMA_PATH): Promise<void> {
  await writeFile(path, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  await writeFile(presetPath, `${JSON.stringify(presetJsonSchema(), null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeScenarioJsonSchema(process.argv[2], process.argv[3]);
  console.log(`wrote ${process.argv[2] ?? SCENARIO_JSON_SCHEMA_PATH} and ${process.argv[3] ?? PRESET_JSON_SCHEMA_PATH}`);
}
