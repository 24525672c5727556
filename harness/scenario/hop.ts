/**
 * A hop of the chain, as a union of the three kinds (hop-kind.ts) told apart by `engine:`:
 * - a mock (`engine: mock`, or no `engine:`): inbound mode, outbound policy, an optional `preset:`;
 * - a real engine (`engine: postfix | sendmail | exim | opensmtpd`, engine-hop.ts): only what mailhop can
 *   configure on that product;
 * - an external server (`engine: external`): where it is (`host`, `port`) and nothing else, since mailhop
 *   neither configures nor starts it.
 * Each kind has only its own keys, so a parsed hop never carries a setting nothing uses, and any other key is a
 * located problem that says why it does not apply. Part of the scenario schema (schema.ts re-exports it).
 */
import { z } from 'zod';
import { TlsRptReporter } from './tlsrpt-spec.js';
import { Inbound, INBOUND_VARIANTS, Outbound, OUTBOUND_VARIANTS } from './policies.js';
import { ENGINE_SUPPORT, engineHop, refused } from './engine-hop.js';
import { HopId, isRealEngine, REAL_ENGINES, type RealEngineName } from './hop-kind.js';
import { isPresetFile, loadPreset, PRESET_NAMES, presetFor, formatProblem } from '../presets/index.js';
import type { MtaPreset } from '../presets/mta-preset.js';

export { HopId } from './hop-kind.js';

/**
 * A product whose defaults a mock hop can take with `preset:`: a bundled preset's name (presets/*.yaml in the
 * package) or a preset file's path (the scenario loader makes a relative path absolute from the scenario's folder).
 * A file with problems is reported at the hop's `preset` key with the file's first problem at its position.
 */
export const PresetName = z.string().superRefine((ref, ctx) => {
  const loaded = loadPreset(ref);
  if ('preset' in loaded) return;
  if (!isPresetFile(ref)) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${PRESET_NAMES.join(', ')}, or a preset file (a path ending in .yaml); got "${ref}"` });
    return;
  }
  const [first, ...more] = loaded.problems;
  const where = first.line ? formatProblem(first) : first.message;
  ctx.addIssue({ code: 'custom', message: `preset file ${ref}: ${where}${more.length ? ` (and ${more.length} more: mailhop presets ${ref} lists them all)` : ''}` });
}).describe(`A bundled preset (${PRESET_NAMES.join(', ')}) or a preset file's path, relative to the scenario (presets/preset.schema.json)`);
export type PresetName = z.infer<typeof PresetName>;

/** The problem when a hop naming `preset` lacks a key only the hop can give, or undefined. */
function missingNeed(preset: MtaPreset, hop: { inbound: object; outbound: object }): string | undefined {
  for (const need of preset.needs) {
    const [section, key] = need.key.split('.') as ['inbound' | 'outbound', string];
    const holder = hop[section] as Record<string, unknown>;
    // Only where the hop's variant has the key (an override to another tls variant needs nothing).
    if (!(key in holder)) continue;
    const value = holder[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      return `preset ${preset.name} needs ${need.what} in the hop's ${need.key}, e.g. ${need.example}`;
    }
  }
  return undefined;
}

/** A TCP port; `missing` words the problem when the key is absent (where the hop cannot do without it). */
const port = (missing?: string) => z.number({ error: (iss) => (iss.input === undefined ? missing : undefined) }).int().min(1).max(65535);

const MockHop = z
  .strictObject({
    id: HopId,
    /** What runs the hop: absent or `mock` is mailhop's own MTA. */
    engine: z.literal('mock').default('mock'),
    /** Right after an external hop: where this hop's link proxy listens for the gateway (else loopback). */
    host: z.ipv4().optional(),
    /** On the first hop: its fixed "send to" port; right after an external hop: where its link proxy listens. */
    port: port().optional(),
    preset: PresetName.optional(),
    inbound: Inbound.prefault({}),
    outbound: Outbound.prefault({}),
    /** A TLS-RPT reporter (RFC 8460 §4, tlsrpt-spec.ts): only a hop that routes by MX has policy domains to report on. */
    tlsRpt: TlsRptReporter.optional(),
  })
  .superRefine((hop, ctx) => {
    const preset = hop.preset ? presetFor(hop.preset) : undefined;
    const problem = preset ? missingNeed(preset, hop) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: ['preset'], message: problem });
    if (hop.tlsRpt && (hop.outbound as { route?: string }).route !== 'mx') {
      ctx.addIssue({ code: 'custom', path: ['tlsRpt'], message: 'a TLS-RPT reporter reports per policy domain, which only a hop that routes by MX looks up: add outbound: { route: mx } (and a dns: block)' });
    }
  });

/** What an external hop cannot take: mailhop does not configure a server it does not start. */
const notExternal = (key: string) => refused(`engine external cannot take ${key}: mailhop does not configure a server it does not start; configure the gateway itself`);

const ExternalHop = z.strictObject({
  id: HopId,
  engine: z.literal('external'),
  /** The server's address (IPv4; off loopback only with `--allow-external`). */
  host: z.ipv4({ error: (iss) => (iss.input === undefined ? 'engine external needs host: the address of the server mailhop does not start (an IPv4 address)' : undefined) }),
  port: port('engine external needs port: where the server listens for SMTP'),
  preset: notExternal('preset'),
  inbound: notExternal('inbound'),
  outbound: notExternal('outbound'),
});

/**
 * One hop of the chain: mock, real engine or external (see the file comment). With `preset:` on a mock, the
 * preset's inbound and outbound keys are merged under the hop's own before anything is parsed (applyPreset), so a
 * key the hop gives always wins and the hop's file positions stay those of its own keys.
 * @example { id: 'mx', engine: 'mock', inbound: { starttls: 'offer', cert: 'valid', greetingDelay: 0 }, outbound: { tls: 'opportunistic', ... } }
 */
export const Hop = z.preprocess(
  applyPreset,
  z.discriminatedUnion('engine', [MockHop, ...REAL_ENGINES.map((engine) => engineHop(engine)), ExternalHop]),
);
export type Hop = z.output<typeof Hop>;
/** A hop mailhop runs itself. */
export type MockHop = Extract<Hop, { engine: 'mock' }>;
/** A hop a real MTA runs. */
export type EngineHop = Extract<Hop, { engine: RealEngineName }>;
/** A server mailhop only connects to. */
export type ExternalHop = Extract<Hop, { engine: 'external' }>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges a preset's defaults under a mock hop's own `inbound`/`outbound` keys. When the hop picks another variant
 * (`outbound: { tls: mandatory }` under `preset: postfix`), only the preset keys that variant has are kept, so
 * an override never meets a key it does not allow. Anything odd (an unknown preset, a non-object, a preset on a
 * hop that is not a mock) is left untouched for zod to report where the hop wrote it.
 */
function applyPreset(value: unknown): unknown {
  if (!isRecord(value) || typeof value.preset !== 'string') return value;
  if (value.engine !== undefined && value.engine !== 'mock') return value;
  const preset = presetFor(value.preset);
  if (!preset) return value;
  return {
    ...value,
    inbound: mergeUnder(preset.inbound as Record<string, unknown>, value.inbound, INBOUND_VARIANTS, 'starttls', 'offer'),
    outbound: mergeUnder(preset.outbound, value.outbound, OUTBOUND_VARIANTS, 'tls', 'opportunistic'),
  };
}

/**
 * `defaults` (a preset's section) under `own` (the hop's): the hop's keys win, and of the preset's only those the
 * chosen variant (by `discriminator`, else the preset's, else `fallbackTag`) has are kept. Non-objects come back untouched.
 */
export function mergeUnder(
  defaults: Record<string, unknown>,
  own: unknown,
  variants: ReadonlyArray<z.ZodObject>,
  discriminator: string,
  fallbackTag: string,
): unknown {
  if (own !== undefined && !isRecord(own)) return own;
  const mine = own ?? {};
  const tag = mine[discriminator] ?? defaults[discriminator] ?? fallbackTag;
  const variant = variants.find((v) => (v.shape[discriminator] as z.ZodLiteral).def.values.includes(tag as never));
  if (!variant) return own;
  const kept = Object.entries(defaults).filter(([key]) => key in variant.shape);
  return { ...Object.fromEntries(kept), ...mine };
}

/** A problem at a path inside `hops`. */
export interface HopProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * Where each kind can stand in the chain: an external hop needs a mock after it (which listens where the
 * gateway relays to), only some engines can be the final mailbox, and `host`/`port` on a mock only place it
 * after an external hop (or fix the first hop's "send to" port).
 */
export function hopPlacementProblems(hops: readonly Hop[]): HopProblem[] {
  const problems: HopProblem[] = [];
  hops.forEach((hop, i) => {
    const last = i === hops.length - 1;
    const next = hops[i + 1];
    if (hop.engine === 'external' && last) {
      problems.push({ path: [i, 'engine'], message: 'engine external cannot be the last hop: add a hop after it (a mock that listens where the gateway relays to)' });
    }
    if (hop.engine === 'external' && next && next.engine !== 'mock') {
      problems.push({ path: [i + 1, 'engine'], message: `the hop after an external one must be a mock (engine ${next.engine} cannot listen where the gateway relays to)` });
    }
    if (isRealEngine(hop.engine) && last && !ENGINE_SUPPORT[hop.engine].mailbox) {
      problems.push({ path: [i, 'engine'], message: `engine ${hop.engine} cannot be the last hop (final mailbox); put a mock hop after it` });
    }
    // The first hop may take port: alone, its fixed "send to" port (chain/proxy-ports.ts); it always listens on loopback.
    const placed = i === 0 ? hop.host !== undefined : hop.host !== undefined || hop.port !== undefined;
    if (hop.engine === 'mock' && placed && hops[i - 1]?.engine !== 'external') {
      problems.push({
        path: [i, hop.host !== undefined ? 'host' : 'port'],
        message: i === 0
          ? 'host on the first hop: its "send to" address is always on loopback; port: alone fixes the port'
          : 'host and port on a mock hop only say where it listens for the external gateway before it (or, port: on the first hop, where mail is sent to); the previous hop is not engine external',
      });
    }
  });
  return problems;
}
