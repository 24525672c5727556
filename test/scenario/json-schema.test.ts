import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SCENARIO_JSON_SCHEMA_PATH, scenarioJsonSchema } from '../../harness/scenario/write-json-schema.js';

type Json = { [key: string]: any };

describe('scenarios/schema.json', () => {
  it('is what scenarioJsonSchema() generates (run `npm run schema` after changing schema.ts)', async () => {
    const committed = await readFile(SCENARIO_JSON_SCHEMA_PATH, 'utf8');
    expect(committed).toBe(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  });

  it('describes the written form: identity first, defaulted keys optional', () => {
    const schema = scenarioJsonSchema() as Json;
    expect(Object.keys(schema).slice(0, 4)).toEqual(['$schema', '$id', 'title', 'description']);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['name', 'hops', 'messages']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.hops.items.required).toEqual(['id']);
  });

  it('makes `tls` optional in the opportunistic variant only, since a missing `tls` means opportunistic', () => {
    const schema = scenarioJsonSchema() as Json;
    for (const union of [schema.properties.submit.oneOf, schema.properties.hops.items.properties.outbound.oneOf] as Json[][]) {
      const required = Object.fromEntries(union.map((variant) => [variant.properties.tls.const, variant.required ?? []]));
      expect(required.opportunistic).toEqual([]);
      for (const [tls, keys] of Object.entries(required)) if (tls !== 'opportunistic') expect(keys).toEqual(['tls']);
    }
    expect(Object.keys(Object.fromEntries(schema.properties.hops.items.properties.outbound.oneOf.map((v: Json) => [v.properties.tls.const, 1]))))
      .toEqual(['none', 'opportunistic', 'mandatory', 'verify', 'preserve-inbound']);
  });
});
