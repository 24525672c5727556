/**
 * A scenario's claims on the copies of a split message (`expect.destinations`, `messages[].expect.destinations`):
 * a hop routing by MX splits a message per recipient domain (RFC 5321 §5.1) and each copy has its own outcome and
 * end-to-end verdict (destination-outcomes.ts). Each claim is keyed by its path in the YAML,
 * `destinations.<domain>.outcome` or `destinations.<domain>.endToEnd`, the key its Expectation and failure carry.
 */
import type { Expect } from '../scenario/schema.js';
import type { MessageReport } from './judge-message.js';

/** The actual value of a claim on a copy the message does not have (it had no recipient in that domain). */
export const NO_COPY = 'no copy';

const PREFIX = 'destinations.';
const FIELDS = ['outcome', 'endToEnd'] as const;
type Field = (typeof FIELDS)[number];

/** Whether `key` is a claim on a copy. */
export function isCopyKey(key: string): boolean {
  return key.startsWith(PREFIX);
}

/** `destinations.partner.test.outcome` → `['partner.test', 'outcome']` (a domain has dots; the field has none). */
function parse(key: string): [string, Field] {
  const rest = key.slice(PREFIX.length);
  const dot = rest.lastIndexOf('.');
  return [rest.slice(0, dot), rest.slice(dot + 1) as Field];
}

/** The copy keys the expectations name, in order of first mention: per domain, outcome then endToEnd. */
export function copyKeys(expects: ReadonlyArray<Expect | undefined>): string[] {
  const keys = expects.flatMap((e) => Object.entries(e?.destinations ?? {}).flatMap(([domain, claim]) => FIELDS.filter((f) => claim[f] !== undefined).map((f) => `${PREFIX}${domain}.${f}`)));
  return [...new Set(keys)];
}

/** What `expect` claims under a copy key, if anything. */
export function copyClaim(expect: Expect | undefined, key: string): string | undefined {
  const [domain, field] = parse(key);
  return expect?.destinations?.[domain]?.[field];
}

/** The copy's value under a copy key, or {@link NO_COPY} when the message has no copy to that domain. */
export function copyActual(m: MessageReport, key: string): string {
  const [domain, field] = parse(key);
  return m.destinations?.find((d) => d.destination === domain)?.[field] ?? NO_COPY;
}
