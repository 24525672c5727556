/**
 * What `mailhop audit` measures, and the scenario each battery case becomes for it: the target is the middle
 * hop (`target`) between mailhop's injecting client and a mock next hop (`next`).
 */
import { parse as parseYaml } from 'yaml';
import { MailhopError } from '../errors.js';
import type { ScenarioInput } from '../scenario/schema.js';
import type { PresetName } from '../scenario/hop.js';
import { presetLabel } from '../presets/index.js';
import { takesOutboundKey } from '../scenario/engine-hop.js';
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { AuditCase } from './battery.js';

/**
 * The MTA under test:
 * - `engine`: a real MTA mailhop starts and configures (`set` holds hop keys such as `outbound.tls`);
 * - `preset`: a mock hop with a product preset (to compare the model with the product);
 * - `external`: a server mailhop only connects to (a vendor's gateway), which must relay to `listen`.
 */
export type AuditTarget =
  | { kind: 'engine'; engine: RealEngineName; set: Readonly<Record<string, unknown>> }
  | { kind: 'preset'; preset: PresetName; set: Readonly<Record<string, unknown>> }
  | { kind: 'external'; host: string; port: number; listen: { host: string; port: number } };

/** How a target is named in output, e.g. `engine postfix`, `preset exim`, `external 127.0.0.1:2525`. */
export function targetLabel(target: AuditTarget): string {
  const set = 'set' in target && Object.keys(target.set).length ? ` (${Object.entries(target.set).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})` : '';
  if (target.kind === 'engine') return `engine ${target.engine}${set}`;
  if (target.kind === 'preset') return `preset ${presetLabel(target.preset)}${set}`;
  return `external ${target.host}:${target.port}`;
}

/**
 * Parses `--set key=value` (repeatable): a dotted hop key and a YAML value, e.g. `outbound.tls=mandatory`,
 * `outbound.retry=[1m]`. The scenario schema judges the result when a case is built.
 * @throws MailhopError EUSAGE for an item without `=` or an empty key.
 */
export function parseSettings(items: readonly string[]): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!key || !/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)*$/.test(key)) {
      throw MailhopError.of('EUSAGE', { where: `--set ${item}`, what: 'read the setting', why: 'it is not key=value with a dotted hop key', hint: 'e.g. --set outbound.tls=mandatory' });
    }
    set[key] = parseYaml(item.slice(eq + 1)) ?? null;
  }
  return set;
}

/** `base` with each dotted key of `set` written into it (objects on the way are copied, not shared). */
function withSettings(base: Record<string, unknown>, set: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = structuredClone(base);
  for (const [dotted, value] of Object.entries(set)) {
    const path = dotted.split('.');
    let at = out;
    for (const part of path.slice(0, -1)) {
      const next = at[part];
      at = at[part] = next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
    }
    at[path.at(-1)!] = value;
  }
  return out;
}

/**
 * An engine's inbound mode when it cannot take the default (`offer`): OpenSMTPD 6.8.0p2 on Debian 12 fails every
 * inbound TLS handshake with OpenSSL 3 (OpenSMTPD issue #1171), so mailhop submits to it in plaintext.
 */
const ENGINE_INBOUND: Partial<Record<RealEngineName, Record<string, unknown>>> = { opensmtpd: { 'inbound.starttls': 'none' } };

/**
 * How the target receives, as dotted `inbound.*` settings (its engine's own mode, and any `--set inbound...`): the
 * presets it is compared with receive the same way, since that is how the battery was run, not the behaviour measured.
 */
export function receivingSettings(target: AuditTarget): Record<string, unknown> {
  if (target.kind === 'external') return {};
  const own = target.kind === 'engine' ? (ENGINE_INBOUND[target.engine] ?? {}) : {};
  return { ...own, ...Object.fromEntries(Object.entries(target.set).filter(([k]) => k.startsWith('inbound.'))) };
}

/** The target hop (`id: target`) for one case. */
function targetHop(target: AuditTarget, c: AuditCase): Record<string, unknown> {
  if (target.kind === 'external') return { id: 'target', engine: 'external', host: target.host, port: target.port };
  const base: Record<string, unknown> = target.kind === 'engine' ? { id: 'target', engine: target.engine } : { id: 'target', preset: target.preset };
  return withSettings(base, { ...stallSettings(target, c), ...receivingSettings(target), ...target.set });
}

/**
 * For a stalled-handshake case: a real engine's handshake timeout shortened where it takes one. It also
 * gets its reply timeout set alike (Sendmail waits one more reply timeout on the dead connection; Exim has one
 * setting for both and takes them only equal); an engine with compiled-in timeouts (OpenSMTPD) keeps them.
 */
function stallSettings(target: Exclude<AuditTarget, { kind: 'external' }>, c: AuditCase): Record<string, unknown> {
  const ms = c.stallTimeoutMs;
  if (ms === undefined) return {};
  // A preset keeps its product's timeout: behind mailhop's stall fault it elapses in virtual time.
  if (target.kind === 'preset') return {};
  const takes = (key: 'starttlsTimeout' | 'timeout') => takesOutboundKey(target.engine, key);
  return { ...(takes('starttlsTimeout') ? { 'outbound.starttlsTimeout': ms } : {}), ...(takes('timeout') ? { 'outbound.timeout': ms } : {}) };
}

/**
 * The scenario of case `c` against `target`: `client -> target -> next`, the case's fault on its leg, one or two
 * messages to one destination (`bob@partner.test`).
 */
export function caseScenario(target: AuditTarget, c: AuditCase): ScenarioInput {
  const next: Record<string, unknown> = { id: 'next', inbound: c.next ?? { starttls: 'offer' } };
  if (target.kind === 'external') Object.assign(next, { host: target.listen.host, port: target.listen.port });
  const [from, to] = c.leg === 'outbound' ? ['target', 'next'] : ['client', 'target'];
  const count = c.messages ?? 1;
  return {
    name: `audit-${c.id}`,
    description: `mailhop audit of ${targetLabel(target)}: ${c.title} (${c.standard})`,
    ...(c.submit ? { submit: c.submit } : {}),
    hops: [targetHop(target, c), next],
    links: c.fault ? [{ ...c.fault, from, to }] : [],
    messages: Array.from({ length: count }, (_, i) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject: `audit ${c.id} message ${i + 1}` })),
  } as ScenarioInput;
}
