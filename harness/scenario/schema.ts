/**
 * The scenario schema: the one source of the scenario types, of their validation, and of
 * scenarios/schema.json (see write-json-schema.ts). YAML keys are exactly these names.
 *
 * Policy vocabulary follows ../shared/reference/tls-behaviour.md §2.1 (inbound variants),
 * §2.2 (outbound policies) and §2.3 (preserve-inbound gateways).
 */
import { z } from 'zod';
import { Duration } from './duration.js';

/** TLS protocol versions as Node names them (`tls.SecureContextOptions.minVersion`). */
export const TlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
export type TlsVersion = z.infer<typeof TlsVersion>;

/**
 * How a hop's SMTP server treats STARTTLS (RFC 3207):
 * - `offer`: advertised in EHLO, answered `220`, plaintext also allowed.
 * - `none`: not advertised; the verb is answered `502 5.5.1` (Postfix's reply).
 * - `require`: advertised; MAIL before TLS gets `530 5.7.0 Must issue a STARTTLS command first` (RFC 3207 §4).
 * - `hidden`: not advertised but accepted (smtp-server `hideSTARTTLS`).
 * - `implicit`: TLS from the first byte (RFC 8314 §3), nothing to strip.
 */
export const InboundStarttls = z.enum(['offer', 'none', 'require', 'hidden', 'implicit']);
export type InboundStarttls = z.infer<typeof InboundStarttls>;

/** Which certificate a hop presents; all but `valid` fail a `verify` client (RFC 8460 §4.3.1 result types). */
export const CertKind = z.enum(['valid', 'self-signed', 'expired', 'not-yet-valid', 'wrong-host', 'untrusted-ca']);
export type CertKind = z.infer<typeof CertKind>;

/** TLS parameters of a hop's server side. Versions below TLSv1.2 need `SECLEVEL=0` on both ends (added automatically). */
export const InboundTls = z.strictObject({
  minVersion: TlsVersion.optional(),
  maxVersion: TlsVersion.optional(),
});

/** How a hop receives mail. */
export const Inbound = z.strictObject({
  starttls: InboundStarttls.default('offer'),
  cert: CertKind.default('valid'),
  tls: InboundTls.optional(),
  /** Delay before the 220 greeting, ms (smtp-server's built-in 100 ms early-talker pause is replaced by this). */
  greetingDelay: Duration.prefault(0),
});
export type Inbound = z.output<typeof Inbound>;

/** What an opportunistic client does after a failed TLS handshake (tls-behaviour.md §2.2). */
export const Fallback = z.enum(['reconnect', 'next-attempt', 'never']);
export type Fallback = z.infer<typeof Fallback>;

/** What an opportunistic client does when STARTTLS is answered 4xx/5xx (RFC 3207 §4: "local policy"). */
export const StarttlsRejected = z.enum(['continue', 'defer']);
export type StarttlsRejected = z.infer<typeof StarttlsRejected>;

/** preserve-inbound variants (tls-behaviour.md §2.3). */
export const Preserve = z.enum(['strict', 'always-try', 'mandatory']);
export type Preserve = z.infer<typeof Preserve>;

const DEFAULT_RETRY = ['5m', '10m', '20m', '40m', '1h'];

/** Keys every client policy shares: the retry schedule and limits. */
const clientCommon = {
  /** Delays between attempts (virtual time); the last one repeats until maxAge. */
  retry: z.array(Duration).min(1).prefault(DEFAULT_RETRY),
  /** Queue lifetime; a message still deferred this long after it arrived bounces (Postfix maximal_queue_lifetime, default 5d). */
  maxAge: Duration.prefault('5d'),
  /** Real-time limit for each SMTP reply and for the TLS handshake, ms (a stall fails after this). */
  timeout: Duration.prefault('5s'),
};

const opportunisticKeys = {
  fallback: Fallback.default('reconnect'),
  /** For `fallback: next-attempt`: plaintext is allowed once the message is this old (Postfix minimal_backoff_time, 300s). */
  fallbackAfter: Duration.prefault('5m'),
  starttlsRejected: StarttlsRejected.default('continue'),
};

const NoneClient = z.strictObject({ tls: z.literal('none'), ...clientCommon });
const OpportunisticClient = z.strictObject({ tls: z.literal('opportunistic'), ...clientCommon, ...opportunisticKeys });
const MandatoryClient = z.strictObject({ tls: z.literal('mandatory'), ...clientCommon });
const VerifyClient = z.strictObject({ tls: z.literal('verify'), ...clientCommon });
const PreserveInboundClient = z.strictObject({
  tls: z.literal('preserve-inbound'),
  ...clientCommon,
  ...opportunisticKeys,
  preserve: Preserve.default('strict'),
  /** Recipient domains for which TLS is mandatory whatever the inbound leg did (Boundary Encryption). */
  enforce: z.array(z.string().regex(/^[a-z0-9.-]+$/i, 'must be a domain name')).default([]),
});

function defaultTls(value: unknown): unknown {
  return value && typeof value === 'object' && !Array.isArray(value) && !('tls' in value)
    ? { ...value, tls: 'opportunistic' }
    : value;
}

/** How a hop relays to the next one (or how the injecting client submits): one variant per `tls` policy. */
export const Outbound = z.preprocess(
  defaultTls,
  z.discriminatedUnion('tls', [NoneClient, OpportunisticClient, MandatoryClient, VerifyClient, PreserveInboundClient]),
);
export type Outbound = z.output<typeof Outbound>;
export type OutboundTls = Outbound['tls'];

/** How the injecting client talks to the first hop: any outbound policy except preserve-inbound (it received nothing). */
export const Submit = z.preprocess(
  defaultTls,
  z.discriminatedUnion('tls', [NoneClient, OpportunisticClient, MandatoryClient, VerifyClient]),
);
export type Submit = z.output<typeof Submit>;

export const HopId = z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+').refine((id) => id !== 'client', {
  message: '"client" names the injecting client; choose another hop id',
});

/** One mock MTA in the chain. */
export const Hop = z.strictObject({
  id: HopId,
  inbound: Inbound.prefault({}),
  outbound: Outbound.prefault({}),
});
export type Hop = z.output<typeof Hop>;

const Address = z.string().regex(/^[^\s@<>]+@[a-z0-9.-]+$/i, 'must be an address like bob@partner.test');

/** One message to push through the chain. */
export const Message = z.strictObject({
  from: Address,
  to: z.array(Address).min(1),
  subject: z.string().default('mailhop test message'),
  body: z.string().default('Sent by mailhop.'),
});
export type Message = z.output<typeof Message>;

/** Per-link verdicts (see verdict/link-verdict.ts for their exact meaning). */
export const LinkVerdictName = z.enum(['plain', 'downgraded', 'tls', 'tls-verified', 'refused', 'none']);
export type LinkVerdictName = z.infer<typeof LinkVerdictName>;

/** End-to-end verdicts (see verdict/end-to-end.ts). */
export const EndToEndName = z.enum(['encrypted-verified', 'encrypted', 'broken', 'held', 'leak']);
export type EndToEndName = z.infer<typeof EndToEndName>;

/** Delivery outcome of a message. `rejected`: the first hop never accepted it. */
export const OutcomeName = z.enum(['delivered', 'deferred', 'bounced', 'rejected']);
export type OutcomeName = z.infer<typeof OutcomeName>;

/** What the scenario claims; every message must satisfy it. */
export const Expect = z.strictObject({
  outcome: OutcomeName.optional(),
  links: z.record(z.string().regex(/^[a-z0-9-]+->[a-z0-9-]+$/, 'must name a link as "from->to"'), LinkVerdictName).optional(),
  endToEnd: EndToEndName.optional(),
});
export type Expect = z.output<typeof Expect>;

/** A whole scenario file. */
export const Scenario = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case'),
    description: z.string().optional(),
    submit: Submit.prefault({}),
    hops: z.array(Hop).min(1),
    messages: z.array(Message).min(1),
    expect: Expect.optional(),
    /** The run stops when the virtual clock reaches this; still-queued messages are reported deferred. */
    runFor: Duration.prefault('1h'),
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.hops.forEach((hop, i) => {
      if (seen.has(hop.id)) {
        ctx.addIssue({ code: 'custom', path: ['hops', i, 'id'], message: `duplicate hop id "${hop.id}" (first used by hops[${seen.get(hop.id)}])` });
      } else seen.set(hop.id, i);
    });
    const linkNames = linkNamesOf(s.hops.map((h) => h.id));
    for (const key of Object.keys(s.expect?.links ?? {})) {
      if (!linkNames.includes(key)) {
        ctx.addIssue({ code: 'custom', path: ['expect', 'links', key], message: `no such link "${key}"; the links are ${linkNames.join(', ')}` });
      }
    }
  });
export type ScenarioInput = z.input<typeof Scenario>;
export type Scenario = z.output<typeof Scenario>;

/** Link names of a chain, in order: `client->first`, then `a->b` for each consecutive pair. */
export function linkNamesOf(hopIds: readonly string[]): string[] {
  const names: string[] = [];
  let prev = 'client';
  for (const id of hopIds) {
    names.push(`${prev}->${id}`);
    prev = id;
  }
  return names;
}
