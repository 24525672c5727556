/**
 * The scenario schema: the one source of the scenario types, of their validation, and of
 * scenarios/schema.json (see write-json-schema.ts). YAML keys are exactly these names.
 *
 * Policy vocabulary follows docs/behaviour.md: #servers (inbound modes), #policies (outbound
 * policies) and #B-preserve-strict and after (preserve-inbound gateways).
 */
import tls from 'node:tls';
import { z } from 'zod';
import { Duration, RealWait, RetryDelay } from './duration.js';
import { scenarioLimitProblems } from './scenario-limits.js';
import { LinkFaultSpec } from '../link/faults/index.js';
import { PRESETS, PRESET_NAMES } from '../presets/index.js';
import { ENGINE_SUPPORT, chainEngineProblems, engineHopProblems } from '../engines/engine-support.js';

/** TLS protocol versions as Node names them (`tls.SecureContextOptions.minVersion`). */
export const TlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
export type TlsVersion = z.infer<typeof TlsVersion>;

/**
 * How a hop's SMTP server treats STARTTLS (RFC 3207; docs/behaviour.md#servers). Honest modes:
 * - `offer`: advertised in EHLO, answered `220`, plaintext also allowed.
 * - `none`: not advertised; the verb is answered `502 5.5.1 Error: command not implemented` (Postfix).
 * - `require`: advertised; MAIL before TLS gets `530 5.7.0 Must issue a STARTTLS command first` (RFC 3207 §4).
 * - `hidden`: not advertised but accepted (smtp-server `hideSTARTTLS`).
 * - `implicit`: TLS from the first byte (RFC 8314 §3), nothing to strip.
 *
 * Fake modes (a front before the honest server, see mta/fronts/): STARTTLS is advertised, but
 * - `fake-454`: answered `454 4.7.0 TLS not available due to temporary reason`; the session goes on in plaintext.
 * - `fake-502`: answered `502 5.5.1 Error: command not implemented`; the session goes on in plaintext.
 * - `fake-reply`: answered with `starttlsReply` (any 4xx/5xx line); the session goes on in plaintext.
 * - `break-handshake`: answered `220 2.0.0 Ready to start TLS`, then the ClientHello meets `how` (S-break-handshake).
 * - `vulnerable-injection`: a CVE-2011-0411 server: commands pipelined after STARTTLS run inside TLS (S-vulnerable-injection).
 */
export const InboundStarttls = z.enum([
  'offer', 'none', 'require', 'hidden', 'implicit',
  'fake-454', 'fake-502', 'fake-reply', 'break-handshake', 'vulnerable-injection',
]);
export type InboundStarttls = z.infer<typeof InboundStarttls>;

/**
 * What a `break-handshake` hop does with the client's ClientHello after its `220` (docs/behaviour.md#S-break-handshake):
 * - `close`: closes the connection (FIN).
 * - `alert`: sends a fatal TLS `handshake_failure` alert record (`15 03 03 00 02 02 28`) and closes.
 * - `garbage`: sends a plaintext SMTP line instead of a ServerHello (OpenSSL: "wrong version number") and closes.
 * - `stall`: sends nothing and keeps the connection open until the client gives up (its `timeout`).
 */
export const BreakHow = z.enum(['close', 'alert', 'garbage', 'stall']);
export type BreakHow = z.infer<typeof BreakHow>;

/** Which certificate a hop presents; all but `valid` fail a `verify` client (RFC 8460 §4.3.1 result types). */
export const CertKind = z.enum(['valid', 'self-signed', 'expired', 'not-yet-valid', 'wrong-host', 'untrusted-ca']);
export type CertKind = z.infer<typeof CertKind>;

/**
 * An OpenSSL cipher string (`openssl ciphers` syntax, as Node's `ciphers` option takes it), checked against
 * this Node's OpenSSL when the scenario is loaded. The hops' keys are EC P-256, so only ECDSA (or anonymous)
 * suites can be chosen: `eNULL:@SECLEVEL=0` with `maxVersion: TLSv1.2` gives ECDHE-ECDSA-NULL-SHA, TLS
 * without encryption (docs/behaviour.md#A-enull, docs/behaviour.md#N-openssl).
 */
export const CipherString = z
  .string()
  .regex(/^[\x21-\x7e]+$/, 'must be an OpenSSL cipher string without spaces, e.g. "eNULL:@SECLEVEL=0"')
  .refine(isCipherString, { message: 'matches no cipher suite this OpenSSL knows (see `openssl ciphers`)' });

function isCipherString(ciphers: string): boolean {
  try {
    tls.createSecureContext({ ciphers });
    return true;
  } catch {
    return false;
  }
}

/**
 * TLS parameters of a hop's server side. Versions below TLSv1.2 need `SECLEVEL=0` on both ends (added
 * automatically unless `ciphers` is given, which then replaces it).
 */
export const InboundTls = z.strictObject({
  minVersion: TlsVersion.optional(),
  maxVersion: TlsVersion.optional(),
  /** Cipher suites the hop accepts, e.g. `eNULL:@SECLEVEL=0` (a client must allow them too: `outbound.tlsCiphers`). */
  ciphers: CipherString.optional(),
});

/** A single 4xx or 5xx SMTP reply line (RFC 5321 §4.2), e.g. `454 4.3.3 TLS not available right now`. */
export const FailureReplyLine = z
  .string()
  .regex(/^[45][0-5]\d(?: [\x20-\x7e]*)?$/, 'must be one 4xx or 5xx SMTP reply line, e.g. "454 4.7.0 TLS not available due to temporary reason"');

/**
 * The shape of the Received header a hop writes (docs/behaviour.md#received): `mailhop` is mailhop's own
 * Postfix-like line; the others copy a product's format, including where it says (or does not say) that TLS was used.
 */
export const ReceivedFormat = z.enum(['mailhop', 'postfix', 'sendmail', 'exim', 'opensmtpd', 'exchange', 'messagelabs', 'gmail']);
export type ReceivedFormat = z.infer<typeof ReceivedFormat>;

/** Keys every inbound mode shares (after `starttls` and its own keys, so messages list them in this order). */
const inboundCommon = {
  cert: CertKind.default('valid'),
  tls: InboundTls.optional(),
  /**
   * Delay before the 220 greeting, ms (smtp-server's built-in 100 ms early-talker pause is replaced by this). Real
   * time, so at most 1h: a Node timer past ~24.8 days would greet after 1 ms.
   */
  greetingDelay: RealWait.prefault(0),
  /** Format of the Received header this hop prepends; absent means `mailhop` (a `preset` sets its product's). */
  received: ReceivedFormat.optional(),
};

/** Modes that take no key of their own. */
const SimpleInbound = z.strictObject({
  starttls: z.literal(['offer', 'none', 'require', 'hidden', 'implicit', 'fake-454', 'fake-502']),
  ...inboundCommon,
});
const FakeReplyInbound = z.strictObject({
  starttls: z.literal('fake-reply'),
  /** The whole reply line sent to STARTTLS, code first. */
  starttlsReply: FailureReplyLine,
  ...inboundCommon,
});
const BreakHandshakeInbound = z.strictObject({
  starttls: z.literal('break-handshake'),
  how: BreakHow,
  ...inboundCommon,
});

const VulnerableInjectionInbound = z.strictObject({
  starttls: z.literal('vulnerable-injection'),
  ...inboundCommon,
});

function defaultStarttls(value: unknown): unknown {
  return value && typeof value === 'object' && !Array.isArray(value) && !('starttls' in value)
    ? { ...value, starttls: 'offer' }
    : value;
}

/**
 * How a hop receives mail: one variant per `starttls` mode (default `offer`), so a key only exists where it
 * means something (`starttlsReply` with `fake-reply`, `how` with `break-handshake`).
 * @example { starttls: 'break-handshake', how: 'alert', cert: 'valid', greetingDelay: 0 }
 */
export const Inbound = z.preprocess(defaultStarttls, z.discriminatedUnion('starttls', [SimpleInbound, FakeReplyInbound, BreakHandshakeInbound, VulnerableInjectionInbound]));
export type Inbound = z.output<typeof Inbound>;
const INBOUND_VARIANTS = [SimpleInbound, FakeReplyInbound, BreakHandshakeInbound, VulnerableInjectionInbound];

/** What an opportunistic client does after a failed TLS handshake (docs/behaviour.md#B-fallback). */
export const Fallback = z.enum(['reconnect', 'next-attempt', 'never']);
export type Fallback = z.infer<typeof Fallback>;

/** What an opportunistic client does when STARTTLS is answered 4xx/5xx (RFC 3207 §4: "local policy"). */
export const StarttlsRejected = z.enum(['continue', 'defer']);
export type StarttlsRejected = z.infer<typeof StarttlsRejected>;

/** preserve-inbound variants (docs/behaviour.md#B-preserve-strict, B-preserve-always-try, B-preserve-mandatory). */
export const Preserve = z.enum(['strict', 'always-try', 'mandatory']);
export type Preserve = z.infer<typeof Preserve>;

/**
 * Whose words a client uses for the decisions it takes itself (deferring for a failed handshake, for TLS required
 * but not offered, ...): the texts the product logs and puts in its DSNs (mta/local-replies.ts). Codes and
 * enhanced codes follow the product too, so a test can match on them.
 */
export const ReplyTexts = z.enum(['mailhop', 'postfix', 'sendmail', 'exim', 'opensmtpd', 'nodemailer', 'postini']);
export type ReplyTexts = z.infer<typeof ReplyTexts>;

const DEFAULT_RETRY = ['5m', '10m', '20m', '40m', '1h'];

/** Keys every client policy shares: the retry schedule and limits. */
const clientCommon = {
  /** Delays between attempts (virtual time); the last one repeats until maxAge. */
  retry: z.array(RetryDelay).min(1).prefault(DEFAULT_RETRY),
  /** Queue lifetime; a message still deferred this long after it arrived bounces (Postfix maximal_queue_lifetime, default 5d). */
  maxAge: Duration.prefault('5d'),
  /** Real-time limit for each SMTP reply and for the TLS handshake, ms (a stall fails after this). */
  timeout: RealWait.prefault('5s'),
  /** Reply texts of the client's own decisions; absent means `mailhop` (a `preset` sets its product's). */
  replies: ReplyTexts.optional(),
  /**
   * Most SMTP sessions open at once to the next hop; further due attempts wait their turn, in order
   * (Postfix default_destination_concurrency_limit, default 20).
   */
  concurrencyLimit: z.number().int().min(1).default(20),
};

/** Keys of every policy that may start TLS. */
const tlsClientKeys = {
  /**
   * Cipher suites the client offers, replacing Node's default list, e.g. `ALL:eNULL:@SECLEVEL=0` to let a weak
   * hop negotiate eNULL (OpenSSL's `DEFAULT` permanently excludes eNULL, so build on `ALL`).
   */
  tlsCiphers: CipherString.optional(),
  /**
   * Real-time limit for the TLS handshake after the 220 to STARTTLS, when it should differ from
   * `timeout` (Postfix smtp_starttls_timeout, default 300s); absent: `timeout`.
   */
  starttlsTimeout: RealWait.optional(),
};

const opportunisticKeys = {
  fallback: Fallback.default('reconnect'),
  /** For `fallback: next-attempt`: plaintext is allowed once the message is this old (Postfix minimal_backoff_time, 300s). */
  fallbackAfter: Duration.prefault('5m'),
  starttlsRejected: StarttlsRejected.default('continue'),
};

const NoneClient = z.strictObject({ tls: z.literal('none'), ...clientCommon });
const OpportunisticClient = z.strictObject({ tls: z.literal('opportunistic'), ...clientCommon, ...tlsClientKeys, ...opportunisticKeys });
const MandatoryClient = z.strictObject({ tls: z.literal('mandatory'), ...clientCommon, ...tlsClientKeys });
const VerifyClient = z.strictObject({ tls: z.literal('verify'), ...clientCommon, ...tlsClientKeys });
const PreserveInboundClient = z.strictObject({
  tls: z.literal('preserve-inbound'),
  ...clientCommon,
  ...tlsClientKeys,
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
const OUTBOUND_VARIANTS = [NoneClient, OpportunisticClient, MandatoryClient, VerifyClient, PreserveInboundClient];

/** How the injecting client talks to the first hop: any outbound policy except preserve-inbound (it received nothing). */
export const Submit = z.preprocess(
  defaultTls,
  z.discriminatedUnion('tls', [NoneClient, OpportunisticClient, MandatoryClient, VerifyClient]),
);
export type Submit = z.output<typeof Submit>;

export const HopId = z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+').refine((id) => id !== 'client', {
  message: '"client" names the injecting client; choose another hop id',
});

/** A product whose defaults a hop can take with `preset:` (harness/presets/). */
export const PresetName = z.enum(PRESET_NAMES);
export type PresetName = z.infer<typeof PresetName>;

/**
 * What runs a hop (harness/engines/): mailhop's `mock` MTA (default); a real `postfix`, `sendmail`, `exim` or
 * `opensmtpd` that mailhop configures from `inbound`/`outbound`, starts on loopback and stops; or an `external`
 * server at `host`:`port` that mailhop does not start (a gateway under test).
 */
export const EngineName = z.enum(['mock', 'postfix', 'sendmail', 'exim', 'opensmtpd', 'external']);
export type EngineName = z.infer<typeof EngineName>;

/** Engine problems are judged on the hop as written, before presets and defaults (engines/engine-support.ts). */
function checkEngine(value: unknown, ctx: z.core.$RefinementCtx): unknown {
  for (const p of engineHopProblems(value)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message, input: value });
  return value;
}

/**
 * One mock MTA in the chain. With `preset:`, the preset's inbound and outbound keys are merged under the hop's
 * own before anything else is parsed (applyPreset), so a key the hop gives always wins and the hop's file
 * positions stay those of its own keys.
 */
export const Hop = z.preprocess(
  (value, ctx) => applyPreset(engineFallback(checkEngine(value, ctx))),
  z
    .strictObject({
      id: HopId,
      /** What runs the hop; absent means `mock`. */
      engine: EngineName.optional(),
      /** engine external: the server's address; a mock right after an external hop: where its link proxy listens. */
      host: z.ipv4().optional(),
      port: z.number().int().min(1).max(65535).optional(),
      preset: PresetName.optional(),
      inbound: Inbound.prefault({}),
      outbound: Outbound.prefault({}),
    })
    .superRefine((hop, ctx) => {
      const problem = hop.preset ? PRESETS[hop.preset].check?.(hop) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: ['preset'], message: problem });
    }),
);
export type Hop = z.output<typeof Hop>;

/**
 * An opportunistic real-engine hop without `fallback` gets its engine's own (the first in ENGINE_SUPPORT), not the
 * mock's `reconnect`: the engine's configuration is written from the parsed hop, and for Sendmail `reconnect` means
 * TLSFallbacktoClear, which a default Sendmail does not have (it defers and retries with STARTTLS,
 * docs/behaviour.md#B-handshake-sendmail).
 */
function engineFallback(value: unknown): unknown {
  if (!isRecord(value) || typeof value.engine !== 'string' || !Object.hasOwn(ENGINE_SUPPORT, value.engine)) return value;
  const outbound = value.outbound ?? {};
  if (!isRecord(outbound) || outbound.fallback !== undefined || (outbound.tls ?? 'opportunistic') !== 'opportunistic') return value;
  const own = ENGINE_SUPPORT[value.engine as keyof typeof ENGINE_SUPPORT].fallback[0];
  return { ...value, outbound: { ...outbound, fallback: own } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges a preset's defaults under a hop's own `inbound`/`outbound` keys. When the hop picks another variant
 * (`outbound: { tls: mandatory }` under `preset: postfix`), only the preset keys that variant has are kept, so
 * an override never meets a key it does not allow. Anything odd (an unknown preset, a non-object) is left
 * untouched for zod to report where the hop wrote it.
 */
function applyPreset(value: unknown): unknown {
  if (!isRecord(value) || typeof value.preset !== 'string' || !Object.hasOwn(PRESETS, value.preset)) return value;
  const preset = PRESETS[value.preset as PresetName];
  return {
    ...value,
    inbound: mergeUnder(preset.inbound, value.inbound, INBOUND_VARIANTS, 'starttls', 'offer'),
    outbound: mergeUnder(preset.outbound, value.outbound, OUTBOUND_VARIANTS, 'tls', 'opportunistic'),
  };
}

function mergeUnder(
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

/**
 * An envelope address. Local part and domain may be internationalised (RFC 6531 §3.3: UTF-8 mailbox names,
 * U-label domains such as `用户@例子.test`); mailhop's relays then use SMTPUTF8 (mta/smtputf8.ts).
 */
const Address = z.string().regex(/^[^\s@<>]+@[\p{L}\p{M}\p{N}.-]+$/u, 'must be an address like bob@partner.test');

/** Per-link verdicts (see verdict/link-verdict.ts for their exact meaning). */
export const LinkVerdictName = z.enum(['plain', 'downgraded', 'stripped', 'tls', 'tls-verified', 'refused', 'none']);
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

/** The body of a message that names none. */
export const DEFAULT_BODY = 'Sent by mailhop.';

/**
 * Header fields mailhop writes itself (the composer: RFC 5322 §3.6 originator, destination and identification
 * fields; the chain: its id; the hops: trace fields) and so a message's `headers:` may not set.
 */
const RESERVED_HEADERS = ['from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding', 'received', 'return-path'];

/** RFC 5322 §2.2: a field name is printable US-ASCII other than the colon; mailhop's own `X-Mailhop-*` are not settable. */
const HeaderName = z
  .string()
  .regex(/^[\x21-\x39\x3b-\x7e]{1,76}$/, 'must be a header field name: 1 to 76 printable ASCII characters, no colon or space (RFC 5322 §2.2)')
  .refine((n) => !RESERVED_HEADERS.includes(n.toLowerCase()) && !/^x-mailhop-/i.test(n), {
    message: 'is written by mailhop itself (use the message\'s from, to, subject and body keys; X-Mailhop-* and trace fields are the chain\'s)',
  });

/** A header value on one line: no CR or LF (mailhop folds nothing; RFC 5322 §2.2.3). */
const HeaderValue = z.string().max(998).regex(/^[^\r\n]*$/, 'must be one line (no CR or LF)');

/**
 * A file attached to a message (a MIME part, RFC 2045/2046 through nodemailer's composer): `path` (relative to the
 * scenario file) or inline `content` text, never both. The loader reads `path` and replaces it by the file's bytes
 * (`content` in base64, `encoding: base64`), so a loaded scenario carries everything it sends.
 */
const Attachment = z
  .strictObject({
    filename: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    content: z.string().optional(),
    encoding: z.literal('base64').optional(),
    contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type like text/csv').optional(),
  })
  .refine((a) => (a.path === undefined) !== (a.content === undefined), { message: 'needs exactly one of path (a file) or content (text)' });

/** One message to push through the chain. */
export const Message = z
  .strictObject({
    from: Address,
    /** At most 1,000 recipients: the most a mock hop takes in one transaction (RFC 5321 §4.5.3.1.8 asks for at least 100). */
    to: z.array(Address).min(1).max(1000),
    subject: z.string().default('mailhop test message'),
    /** The text body (default `Sent by mailhop.`); or `bodyFile`, a file relative to the scenario, never both. */
    body: z.string().optional(),
    bodyFile: z.string().min(1).optional(),
    /** Extra header fields, e.g. `{ TLS-Required: "No" }` (RFC 8689 §5). */
    headers: z.record(HeaderName, HeaderValue).default({}),
    attachments: z.array(Attachment).max(20).default([]),
    /** What this message must show, key by key over the scenario's `expect` (its links merged link by link). */
    expect: Expect.optional(),
  })
  .refine((m) => m.body === undefined || m.bodyFile === undefined, { message: 'give body or bodyFile, not both', path: ['bodyFile'] });
export type Message = z.output<typeof Message>;
export type MessageInput = z.input<typeof Message>;


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
    /** On-path attackers: faults acting in the link proxy between two hops (link/faults/), in the order they see traffic. */
    links: z.array(LinkFaultSpec).default([]),
    /** Virtual time each message is given from when it entered the chain; a retry due later is not made, and the message is reported deferred. */
    runFor: Duration.prefault('1h'),
  })
  .superRefine((s, ctx) => {
    for (const p of chainEngineProblems(s.hops)) ctx.addIssue({ code: 'custom', path: ['hops', ...p.path], message: p.message });
  })
  // Run even when other parts of the file are wrong (zod skips refinements after an issue by
  // default), so one run lists every problem, not a second batch once the first is fixed.
  .superRefine((s, ctx) => crossReferenceProblems(s, ctx), { when: () => true })
  // Hops, messages and delivery attempts a run may take (scenario-limits.ts); also beside other problems.
  .superRefine((s, ctx) => {
    for (const p of scenarioLimitProblems(s)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message, params: { onKey: p.onKey }, input: s });
  }, { when: () => true });
export type ScenarioInput = z.input<typeof Scenario>;
export type Scenario = z.output<typeof Scenario>;

/**
 * Duplicate hop ids, and links and expectations naming hops or links that do not exist. Reads the
 * value defensively: with other problems in the file, parts of it may not have their parsed shape.
 */
function crossReferenceProblems(value: unknown, ctx: z.core.$RefinementCtx): void {
  if (!isRecord(value) || !Array.isArray(value.hops)) return;
  const ids = value.hops.map((hop) => (isRecord(hop) && typeof hop.id === 'string' ? hop.id : null));
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    if (id === null) return;
    if (seen.has(id)) {
      ctx.addIssue({ code: 'custom', path: ['hops', i, 'id'], message: `duplicate hop id "${id}" (first used by hops[${seen.get(id)}])` });
    } else seen.set(id, i);
  });
  if (ids.includes(null)) return; // a hop without a readable id: the links cannot be named yet
  const hopIds = ids as string[];
  const linkNames = linkNamesOf(hopIds);
  (Array.isArray(value.links) ? value.links : []).forEach((fault: unknown, i) => {
    if (!isRecord(fault) || typeof fault.from !== 'string' || typeof fault.to !== 'string') return;
    const from = ['client', ...hopIds].indexOf(fault.from);
    if (from < 0) {
      ctx.addIssue({ code: 'custom', path: ['links', i, 'from'], message: `no hop "${fault.from}"; a link starts at client or at one of ${hopIds.join(', ')}` });
    } else if (!linkNames.includes(`${fault.from}->${fault.to}`)) {
      const next = linkNames[from]?.split('->')[1];
      ctx.addIssue({ code: 'custom', path: ['links', i, 'to'], message: `no such link "${fault.from}->${fault.to}"; ${next ? `the link from ${fault.from} goes to ${next}` : `${fault.from} is the last hop`}` });
    }
  });
  const claims: Array<{ at: (string | number)[]; expect: unknown }> = [
    { at: ['expect'], expect: value.expect },
    ...(Array.isArray(value.messages) ? value.messages.map((m: unknown, i) => ({ at: ['messages', i, 'expect'], expect: isRecord(m) ? m.expect : undefined })) : []),
  ];
  for (const { at, expect } of claims) {
    const expected = isRecord(expect) && isRecord(expect.links) ? expect.links : {};
    for (const key of Object.keys(expected)) {
      if (!linkNames.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [...at, 'links', key], message: `no such link "${key}"; the links are ${linkNames.join(', ')}` });
      }
    }
  }
}

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
