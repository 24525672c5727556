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
    // `messages` is required by mailhop, not by the schema: none under `submit: { sender: app }`.
    expect(schema.required).toEqual(['name', 'hops']);
    expect(schema.additionalProperties).toBe(false);
    // A hop is one of its kinds, chosen by `engine`: absent means a mock; an external server needs its address.
    const hops = schema.properties.hops.items.oneOf as Json[];
    expect(hops.map((v) => [v.properties.engine.const, v.required])).toEqual([
      ['mock', ['id']], ['postfix', ['id', 'engine']], ['sendmail', ['id', 'engine']], ['exim', ['id', 'engine']], ['opensmtpd', ['id', 'engine']],
      ['external', ['id', 'engine', 'host', 'port']],
    ]);
  });

  it('says why a hop kind cannot take a key, where an editor shows it', () => {
    const hops = (scenarioJsonSchema() as Json).properties.hops.items.oneOf as Json[];
    const external = hops.find((v) => v.properties.engine.const === 'external')!;
    expect(external.properties.outbound).toEqual({
      description: 'engine external cannot take outbound: mailhop does not configure a server it does not start; configure the gateway itself',
      not: {},
    });
    const exim = hops.find((v) => v.properties.engine.const === 'exim')!;
    expect(exim.properties.inbound.properties.greetingDelay.description).toBe('engine exim cannot take inbound.greetingDelay: it greets at once');
  });

  it('makes `tls` optional in the opportunistic variant only, since a missing `tls` means opportunistic', () => {
    const schema = scenarioJsonSchema() as Json;
    // `submit` is the application (`sender: app`) or mailhop's client, whose policies are the second alternative.
    expect(schema.properties.submit.oneOf[0]).toEqual({ type: 'object', properties: { sender: { type: 'string', const: 'app' } }, required: ['sender'], additionalProperties: false });
    for (const union of [schema.properties.submit.oneOf[1].oneOf, schema.properties.hops.items.oneOf[0].properties.outbound.oneOf] as Json[][]) {
      const required = Object.fromEntries(union.map((variant) => [variant.properties.tls.const, variant.required ?? []]));
      expect(required.opportunistic).toEqual([]);
      for (const [tls, keys] of Object.entries(required)) if (tls !== 'opportunistic') expect(keys).toEqual(['tls']);
    }
    expect(Object.keys(Object.fromEntries(schema.properties.hops.items.oneOf[0].properties.outbound.oneOf.map((v: Json) => [v.properties.tls.const, 1]))))
      .toEqual(['none', 'opportunistic', 'mandatory', 'verify', 'preserve-inbound']);
  });
});
