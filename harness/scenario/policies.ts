/**
 * How hops talk TLS: a hop's inbound STARTTLS mode (its SMTP server) and its outbound policy (its relay
 * client, also the injecting client's `submit`). One discriminated union per direction, so a key only
 * exists where it means something. Part of the scenario schema (schema.ts re-exports everything here).
 *
 * Policy vocabulary follows docs/behaviour.md: #servers (inbound modes), #policies (outbound
 * policies) and #B-preserve-strict and after (preserve-inbound gateways).
 */
import tls from 'node:tls';
import { z } from 'zod';
import { Duration, RealWait, RetryDelay } from './duration.js';

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
/** The inbound variants, for merging a preset under a hop (hop.ts). */
export const INBOUND_VARIANTS = [SimpleInbound, FakeReplyInbound, BreakHandshakeInbound, VulnerableInjectionInbound];

/** What an opportunistic client does after a failed TLS handshake (docs/behaviour.md#B-fallback). */
export const Fallback = z.enum(['reconnect', 'next-attempt', 'never']);
export type Fallback = z.infer<typeof Fallback>;

/**
 * What a failed handshake is remembered with, for the next message to the same destination
 * (docs/behaviour.md#B-fallback-memory; RFC 7435 §3 leaves it to local policy):
 * - `message`: only the message it failed for; the next message tries STARTTLS afresh (Postfix, Exim).
 * - `destination-run`: the destination, for one queue run: retries due at one virtual instant go one after
 *   another, and once a handshake failed in the run the rest are deferred without a connection (Sendmail).
 * - `session`: the plaintext session opened after the failure, which stays open and carries the next
 *   messages to the destination without STARTTLS (OpenSMTPD).
 */
export const FallbackMemory = z.enum(['message', 'destination-run', 'session']);
export type FallbackMemory = z.infer<typeof FallbackMemory>;

/** What an opportunistic client does when STARTTLS is answered 4xx/5xx (RFC 3207 §4: "local policy"). */
export const StarttlsRejected = z.enum(['continue', 'defer']);
export type StarttlsRejected = z.infer<typeof StarttlsRejected>;

/**
 * What a client does with bytes that trail the server's 220 to STARTTLS, read before its handshake begins (an
 * on-path attacker's injected replies, docs/behaviour.md#A-inject-response):
 * - `discard`: forget them and start TLS (RFC 3207 §4.2; Postfix since 2.7.3, Sendmail, nodemailer).
 * - `handshake-failure`: complete the handshake, then give TLS up on this connection as after a failed one, so
 *   `fallback` (or a policy that requires TLS) decides what follows: Exim 4.96 logs `synch error before connect` and
 *   reconnects in clear.
 * - `defer`: end the session and defer the message, no plaintext this attempt: OpenSMTPD 6.8 logs `Remote host sent
 *   too much data`.
 * Not "early data": in TLS 1.3 that names 0-RTT application data (RFC 8446 §2.3), something else.
 */
export const StarttlsTrailingData = z.enum(['discard', 'handshake-failure', 'defer']);
export type StarttlsTrailingData = z.infer<typeof StarttlsTrailingData>;

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
   * Lowest TLS version the client offers (OpenSSL's MinProtocol; Postfix's smtp_tls_protocols `>=TLSv1`);
   * absent: Node's default, TLSv1.2. Below TLSv1.2 the client also gets `@SECLEVEL=0` (OpenSSL 3 refuses the SHA-1
   * signatures of TLS 1.0 and 1.1 at any higher level, docs/behaviour.md#N-openssl) unless `tlsCiphers` is given,
   * which then replaces it: `tlsCiphers: DEFAULT` keeps OpenSSL's default level, as a product that never sets one does.
   */
  tlsMinVersion: TlsVersion.optional(),
  /** Highest TLS version the client offers (OpenSSL's MaxProtocol); absent: Node's default, TLSv1.3. */
  tlsMaxVersion: TlsVersion.optional(),
  /**
   * Real-time limit for the TLS handshake after the 220 to STARTTLS, when it should differ from
   * `timeout` (Postfix smtp_starttls_timeout, default 300s); absent: `timeout`.
   */
  starttlsTimeout: RealWait.optional(),
  /** Bytes that trail the 220 to STARTTLS, before the handshake: `discard` (RFC 3207 §4.2), `handshake-failure`, `defer`; absent: `discard`. */
  starttlsTrailingData: StarttlsTrailingData.optional(),
};

const opportunisticKeys = {
  fallback: Fallback.default('reconnect'),
  /** For `fallback: next-attempt`: plaintext is allowed once the message is this old (Postfix minimal_backoff_time, 300s). */
  fallbackAfter: Duration.prefault('5m'),
  fallbackMemory: FallbackMemory.default('message'),
  starttlsRejected: StarttlsRejected.default('continue'),
};

/** Node's defaults for a client (`tls.DEFAULT_MIN_VERSION`, `tls.DEFAULT_MAX_VERSION`). */
const DEFAULT_MIN_VERSION = TlsVersion.parse(tls.DEFAULT_MIN_VERSION);
const DEFAULT_MAX_VERSION = TlsVersion.parse(tls.DEFAULT_MAX_VERSION);

/**
 * The client's TLS versions must leave at least one to offer: `tlsMinVersion` (default TLSv1.2) not above
 * `tlsMaxVersion` (default TLSv1.3). Node would only fail at the first handshake, far from the scenario line.
 */
function tlsRangeProblem(policy: { tlsMinVersion?: TlsVersion; tlsMaxVersion?: TlsVersion }, ctx: z.core.$RefinementCtx): void {
  const { tlsMinVersion: min, tlsMaxVersion: max } = policy;
  const order = TlsVersion.options;
  if (order.indexOf(min ?? DEFAULT_MIN_VERSION) <= order.indexOf(max ?? DEFAULT_MAX_VERSION)) return;
  const message = min
    ? `tlsMinVersion ${min} is above tlsMaxVersion ${max}: the client would offer no TLS version`
    : `tlsMaxVersion ${max} is below the default tlsMinVersion ${DEFAULT_MIN_VERSION}: set tlsMinVersion too, e.g. tlsMinVersion: ${max}`;
  ctx.addIssue({ code: 'custom', path: [min ? 'tlsMinVersion' : 'tlsMaxVersion'], message, input: policy });
}

const NoneClient = z.strictObject({ tls: z.literal('none'), ...clientCommon });
const OpportunisticClient = z
  .strictObject({ tls: z.literal('opportunistic'), ...clientCommon, ...tlsClientKeys, ...opportunisticKeys })
  .superRefine(tlsRangeProblem);
const MandatoryClient = z.strictObject({ tls: z.literal('mandatory'), ...clientCommon, ...tlsClientKeys }).superRefine(tlsRangeProblem);
const VerifyClient = z.strictObject({ tls: z.literal('verify'), ...clientCommon, ...tlsClientKeys }).superRefine(tlsRangeProblem);
const PreserveInboundClient = z
  .strictObject({
    tls: z.literal('preserve-inbound'),
    ...clientCommon,
    ...tlsClientKeys,
    ...opportunisticKeys,
    preserve: Preserve.default('strict'),
    /** Recipient domains for which TLS is mandatory whatever the inbound leg did (Boundary Encryption). */
    enforce: z.array(z.string().regex(/^[a-z0-9.-]+$/i, 'must be a domain name')).default([]),
  })
  .superRefine(tlsRangeProblem);

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
/** The outbound variants, for merging a preset under a hop (hop.ts). */
export const OUTBOUND_VARIANTS = [NoneClient, OpportunisticClient, MandatoryClient, VerifyClient, PreserveInboundClient];

/** How the injecting client talks to the first hop: any outbound policy except preserve-inbound (it received nothing). */
export const Submit = z.preprocess(
  defaultTls,
  z.discriminatedUnion('tls', [NoneClient, OpportunisticClient, MandatoryClient, VerifyClient]),
);
export type Submit = z.output<typeof Submit>;
