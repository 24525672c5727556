/**
 * How hops talk TLS: a hop's outbound policy (its relay client, also the injecting client's `submit`), with the
 * inbound side re-exported from inbound-policy.ts. One discriminated union per direction, so a key only exists
 * where it means something. Part of the scenario schema (schema.ts re-exports everything here).
 *
 * Policy vocabulary follows docs/behaviour.md: #servers (inbound modes), #policies (outbound
 * policies) and #B-preserve-strict and after (preserve-inbound gateways).
 */
import tls from 'node:tls';
import { z } from 'zod';
import { Duration, RealWait, RetryDelay } from './duration.js';
import { CipherString, TlsVersion } from './inbound-policy.js';
import { CLIENT_PRESET_NAMES } from './client-presets.js';
import { MtaSts, MtaStsCheck, StsCache } from './sts-policy.js';

export * from './inbound-policy.js';

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

/**
 * Which SMTP sessions a client keeps open, after a completed mail transaction, for the next message due to the same
 * next hop (RFC 5321 §3.3: MAIL may follow a completed transaction; mta/kept-session.ts):
 * - `none`: every message opens its own connection and ends it with QUIT (mailhop's default).
 * - `plaintext`: sessions without TLS are kept (Postfix's connection cache, smtp_connection_cache_on_demand).
 * - `all`: TLS sessions too (Postfix with smtp_tls_connection_reuse = yes; Exim and Sendmail deliver the queued
 *   messages for one host on one connection).
 * A kept session carries a message only under the same effective policy it was opened with; how long it is kept is
 * `connectionCache` (ConnectionCache). Nothing stays open while virtual time runs on.
 */
export const ConnectionReuse = z.enum(['none', 'plaintext', 'all']);
export type ConnectionReuse = z.infer<typeof ConnectionReuse>;

/**
 * How long a session `reuse` lets a client keep waits for the next message (docs/behaviour.md#B-reuse):
 * - `on-demand`: only while another message already waits for the next hop; with none waiting it ends with QUIT at
 *   once (Postfix's smtp_connection_cache_on_demand = yes, its default: a destination with a backlog).
 * - `always`: after every transaction it stays open, idle, for the next message to the next hop, until virtual time
 *   next moves (Postfix with the next hop in smtp_connection_cache_destinations keeps one for
 *   smtp_connection_cache_time_limit, 2 s by default). The clock moves only once nothing is in flight anywhere in
 *   the chain, and then the session ends with QUIT first.
 * At most `concurrencyLimit` sessions are kept per next hop.
 */
export const ConnectionCache = z.enum(['on-demand', 'always']);
export type ConnectionCache = z.infer<typeof ConnectionCache>;

/**
 * What a client does before it runs a transaction on a kept session (docs/behaviour.md#B-reuse):
 * - `none`: MAIL at once (RFC 5321 §3.3: MAIL may follow a completed transaction); OpenSMTPD 6.8.0p2 does so
 *   (observed: MAIL after the last transaction's 250, no RSET).
 * - `rset`: an RSET probe first (RFC 5321 §4.1.1.5); a session whose RSET is not answered 250 is dropped and the
 *   message opens a new connection (Postfix's smtp_reuse.c checks every cached session so before reusing it).
 */
export const ReuseProbe = z.enum(['none', 'rset']);
export type ReuseProbe = z.infer<typeof ReuseProbe>;

/**
 * Whether a client resumes TLS sessions on its next connection to the same next hop (docs/behaviour.md#B-resumption;
 * mta/tls-session-cache.ts), instead of a full handshake each time:
 * - `none`: every handshake is a full one (mailhop's default).
 * - `tickets`: the session the next hop issued (a TLS 1.3 ticket, RFC 8446 §4.6.1; a TLS 1.2 ticket, RFC 5077, or
 *   session id) is kept, one per next hop, and offered on the next connection, whose server may resume it (an
 *   abbreviated handshake: no certificate crosses). A resumed session keeps the certificate facts (valid, the name
 *   matched) of the handshake that first established it (Postfix's smtp_tls_session_cache_database, Exim's
 *   tls_resumption_hosts).
 */
export const TlsResumption = z.enum(['none', 'tickets']);
export type TlsResumption = z.infer<typeof TlsResumption>;

/** What an opportunistic client does when STARTTLS is answered 4xx/5xx (RFC 3207 §4: "local policy"). */
export const StarttlsRejected = z.enum(['continue', 'defer']);
export type StarttlsRejected = z.infer<typeof StarttlsRejected>;

/**
 * What an opportunistic client does when its TLS handshake times out (RFC 5321 §4.5.3.2 leaves the limit and what
 * follows to the client): `fallback` handles it as any failed handshake (Postfix, Exim, Sendmail); `defer` ends the
 * attempt with no plaintext (OpenSMTPD 6.8: `Connection timeout`, docs/behaviour.md#B-stall-opensmtpd).
 */
export const StarttlsTimedOut = z.enum(['fallback', 'defer']);
export type StarttlsTimedOut = z.infer<typeof StarttlsTimedOut>;

/**
 * What an opportunistic client does when the connection is lost after it sent STARTTLS, before any reply: `defer`
 * ends the attempt (Postfix, Exim, Sendmail); `fallback` handles it as a failed handshake (OpenSMTPD 6.8 logs
 * `opportunistic TLS failed, downgrading to plain` and reconnects in clear, docs/behaviour.md#B-reset-opensmtpd).
 */
export const StarttlsDropped = z.enum(['defer', 'fallback']);
export type StarttlsDropped = z.infer<typeof StarttlsDropped>;

/**
 * What a client does with bytes that trail the server's 220 to STARTTLS, read before its handshake begins (an
 * on-path attacker's injected replies, docs/behaviour.md#A-inject-response):
 * - `discard`: forget them and start TLS (RFC 3207 §4.2; Postfix since 2.7.3, Sendmail, nodemailer).
 * - `handshake-failure`: complete the handshake, then give TLS up on this connection as after a failed one, so
 *   `fallback` (or a policy that requires TLS) decides what follows: Exim 4.96 logs `synch error before connect` and
 *   reconnects in clear.
 * - `defer`: end the session and defer the message, no plaintext this attempt: OpenSMTPD 6.8 logs `Remote host sent
 *   too much data`.
 * - `keep`: the vulnerable behaviour, no MTA's: keep them and read them as the first replies inside TLS (the
 *   CVE-2011-0411 class, client side; MailKit and aiosmtplib once did). The client then runs one reply behind the
 *   server; each reply it read that way is recorded (`SessionEvent.preTlsReplies`) and judged a failure.
 * Not "early data": in TLS 1.3 that names 0-RTT application data (RFC 8446 §2.3), something else.
 */
export const StarttlsTrailingData = z.enum(['discard', 'handshake-failure', 'defer', 'keep']);
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

/**
 * Where a hop relays: `next`, the next hop in the list; `mx`, the MX hosts of each recipient domain in the run's
 * DNS (scenario `dns:`), in preference order (RFC 5321 §5.1), a message with recipients in several domains being
 * split per domain.
 */
export const Route = z.enum(['next', 'mx']);
export type Route = z.infer<typeof Route>;

/**
 * What the client makes of TLSA records (RFC 7672 §2.2): `honor` applies them where the zone is signed (usable
 * records: TLS mandatory and authenticated by them; unusable ones only: TLS mandatory; lookup failures: that MX is
 * not used), else the hop's own policy; `require` delivers only to MX hosts with usable records under DNSSEC
 * (Postfix `dane-only`); `ignore` never looks (the default).
 */
export const Dane = z.enum(['honor', 'require', 'ignore']);
export type Dane = z.infer<typeof Dane>;

/**
 * What `dane: require` makes of an MX host without usable TLSA records under DNSSEC (an insecure zone, a validated
 * "no TLSA"): `defer` (Postfix `dane-only`: `status=deferred (no TLSA records found)`, dsn 4.7.5) or `bounce` (Exim
 * `hosts_require_dane`: `** ... DANE error: tlsa lookup FAIL`), each observed with Postfix 3.7.x and Exim 4.96
 * (test/engines/dane-fidelity.test.ts).
 */
export const DaneRequiredMissing = z.enum(['defer', 'bounce']);
export type DaneRequiredMissing = z.infer<typeof DaneRequiredMissing>;

/**
 * What a client does with a message tagged REQUIRETLS (RFC 8689 §4.2.1), after Postfix 3.11's smtp_requiretls_policy
 * (REQUIRETLS_README); docs/behaviour.md#B-requiretls:
 * - `enforce` (absent): as the RFC says: STARTTLS and a certificate that verifies, whatever `tls` says (the message's
 *   policy becomes `verify`), then REQUIRETLS in the EHLO reply after STARTTLS, and `REQUIRETLS` on MAIL FROM. No
 *   REQUIRETLS bounces the message `5.7.30`, no TLS or a certificate that fails bounces it `5.7.10` (RFC 8689 §5).
 * - `opportunistic+starttls`: TLS is required (at least `mandatory`; `verify` stays `verify`) and failing it bounces
 *   `5.7.10`; REQUIRETLS is sent when the server lists it, else the message goes on without it.
 * - `opportunistic`: the hop's own `tls` policy, REQUIRETLS sent when the server lists it after STARTTLS; else the
 *   message goes on without it, in clear if the policy allows.
 * - `disabled`: a client without RFC 8689: never sends REQUIRETLS, and ignores `TLS-Required: No` (RFC 8689 §3).
 * - `always`: sends `REQUIRETLS` on MAIL FROM of a tagged message whatever the session, in clear too: no RFC 8689
 *   client does this; it shows how a server answers one that does (e.g. on the injecting client's `submit`).
 * Every level but `disabled` honours `TLS-Required: No` on an untagged message: a `mandatory` or `verify` policy then
 * relays it as `opportunistic` would, ignoring certificate failures (RFC 8689 §4.2.2).
 */
export const RequireTlsLevel = z.enum(['enforce', 'opportunistic+starttls', 'opportunistic', 'disabled', 'always']);
export type RequireTlsLevel = z.infer<typeof RequireTlsLevel>;

const DEFAULT_RETRY = ['5m', '10m', '20m', '40m', '1h'];

/** Keys every client policy shares: the retry schedule and limits. */
const clientCommon = {
  /** Delays between attempts (virtual time); the last one repeats until maxAge. */
  retry: z.array(RetryDelay).min(1).prefault(DEFAULT_RETRY),
  /** Queue lifetime; a message still deferred this long after it arrived bounces (Postfix maximal_queue_lifetime, default 5d). */
  maxAge: Duration.prefault('5d'),
  /**
   * Limit for each SMTP reply and for the TLS handshake, ms (a stall fails after this): real time, except while a
   * `stall` link fault silences the connection, when it elapses on the virtual clock (docs/behaviour.md#A-stall).
   */
  timeout: RealWait.prefault('5s'),
  /** Reply texts of the client's own decisions; absent means `mailhop` (a `preset` sets its product's). */
  replies: ReplyTexts.optional(),
  /**
   * Most SMTP sessions open at once to the next hop; further due attempts wait their turn, in order
   * (Postfix default_destination_concurrency_limit, default 20).
   */
  concurrencyLimit: z.number().int().min(1).default(20),
  /** Which sessions carry further messages to the same next hop (ConnectionReuse); absent: `none`. */
  reuse: ConnectionReuse.default('none'),
  /** How long a session `reuse` keeps waits for the next message (ConnectionCache); absent: `on-demand`. */
  connectionCache: ConnectionCache.optional(),
  /** What goes before a transaction on a kept session (ReuseProbe); absent: `none`. */
  reuseProbe: ReuseProbe.optional(),
  /**
   * RFC 2920 pipelining: when the server's last EHLO reply lists PIPELINING, MAIL FROM, every RCPT TO and DATA go in
   * one write and their replies are read after, in order (§3.1: DATA ends the group), instead of one round trip per
   * command. Postfix's client groups them so whenever the server offers it (smtp_proto.c, smtp_xfer). Absent: false,
   * one command at a time (mailhop's default, and what every preset does until observed otherwise).
   */
  pipelining: z.boolean().optional(),
  /** Where a hop relays (Route); absent: `next`. Not for `submit`. */
  route: Route.optional(),
  /** Whether the hop's client applies DANE (Dane); absent: `ignore`. Not for `submit`. */
  dane: Dane.optional(),
  /** Whether the hop's client applies MTA-STS (RFC 8461, sts-policy.ts); absent: `ignore`. DANE wins where both apply. Not for `submit`. */
  mtaSts: MtaSts.optional(),
  /** MTA-STS policies the hop holds when the run starts, by domain (StsCache); absent: none. Not for `submit`. */
  mtaStsCache: StsCache.optional(),
  /** How `mtaSts: honor` checks an MX host under an enforce policy (MtaStsCheck); absent: `mx-host` (RFC 8461 §4). */
  mtaStsCheck: MtaStsCheck.optional(),
  /** Under `dane: require`, an MX host without usable TLSA records under DNSSEC (DaneRequiredMissing); absent: `defer`. */
  daneRequiredMissing: DaneRequiredMissing.optional(),
  /** What the client does with a message tagged REQUIRETLS or `TLS-Required: No` (RequireTlsLevel); absent: `enforce`. */
  requireTls: RequireTlsLevel.optional(),
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
   * Limit for the TLS handshake after the 220 to STARTTLS, when it should differ from `timeout` (Postfix
   * smtp_starttls_timeout, default 300s); absent: `timeout`. Real time, except behind a `stall` link fault, where it
   * elapses on the virtual clock: a product's 300s costs no real 300 s (docs/behaviour.md#A-stall).
   */
  starttlsTimeout: RealWait.optional(),
  /** Bytes that trail the 220 to STARTTLS, before the handshake: `discard` (RFC 3207 §4.2), `handshake-failure`, `defer`, `keep` (vulnerable); absent: `discard`. */
  starttlsTrailingData: StarttlsTrailingData.optional(),
  /** TLS session resumption on the next connection to the same next hop (TlsResumption); absent: `none`. */
  tlsResumption: TlsResumption.optional(),
};

const opportunisticKeys = {
  fallback: Fallback.default('reconnect'),
  /** For `fallback: next-attempt`: plaintext is allowed once the message is this old (Postfix minimal_backoff_time, 300s). */
  fallbackAfter: Duration.prefault('5m'),
  fallbackMemory: FallbackMemory.default('message'),
  starttlsRejected: StarttlsRejected.default('continue'),
  /** A handshake that times out: `fallback` (absent) or `defer` (StarttlsTimedOut). */
  starttlsTimedOut: StarttlsTimedOut.optional(),
  /** The connection lost between STARTTLS and its reply: `defer` (absent) or `fallback` (StarttlsDropped). */
  starttlsDropped: StarttlsDropped.optional(),
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

/**
 * Keys only the injecting client has: `sender: mailhop` (the default written out; submit.ts has the application's
 * variant), and SMTP AUTH (RFC 4954) after the last EHLO, before MAIL (mta/client-auth.ts): `auth: plain | login` with
 * `user` and `pass`, on whatever the session is then, TLS or, under a policy that went on in clear, plaintext.
 */
const submitKeys = {
  sender: z.literal('mailhop').optional(),
  /** A real client library's behaviour (client-presets.ts), its keys filled in under the scenario's own. */
  preset: z.enum(CLIENT_PRESET_NAMES).optional(),
  auth: z.enum(['plain', 'login']).optional(),
  user: z.string().min(1).max(200).regex(/^[^\0\r\n]*$/, 'must be one line without NUL').optional(),
  pass: z.string().max(200).regex(/^[^\0\r\n]*$/, 'must be one line without NUL').optional(),
};

/** `auth` needs `user` and `pass`, and they mean nothing without it. */
function authProblem(policy: { auth?: string; user?: string; pass?: string }, ctx: z.core.$RefinementCtx): void {
  const missing = (['user', 'pass'] as const).filter((k) => policy[k] === undefined);
  if (policy.auth !== undefined && missing.length) {
    ctx.addIssue({ code: 'custom', path: ['auth'], message: `auth ${policy.auth} needs ${missing.join(' and ')}`, input: policy });
  } else if (policy.auth === undefined && missing.length < 2) {
    ctx.addIssue({ code: 'custom', path: [missing.includes('user') ? 'pass' : 'user'], message: 'user and pass are for auth: plain | login; add auth', input: policy });
  }
}

/**
 * `opportunistic-verify`, the default of most client libraries (nodemailer, PHPMailer SMTPAutoTLS, Symfony auto_tls, Go
 * net/smtp.SendMail): STARTTLS when the EHLO reply lists it, with the certificate checked as under `verify`, and then
 * any failure (a refused STARTTLS, a failed handshake, a certificate that does not verify) defers, never plaintext;
 * no STARTTLS listed means plaintext (RFC 7435 §3). Submission only: an MTA's policies are the outbound ones above.
 */
const OpportunisticVerifyClient = z
  .strictObject({ tls: z.literal('opportunistic-verify'), ...clientCommon, ...tlsClientKeys })
  .superRefine(tlsRangeProblem);

/** The variants of mailhop's own client on the submission link: any outbound policy except preserve-inbound (it received nothing). */
export const SUBMIT_VARIANTS = [
  NoneClient.safeExtend(submitKeys).superRefine(authProblem),
  OpportunisticClient.safeExtend(submitKeys).superRefine(authProblem),
  MandatoryClient.safeExtend(submitKeys).superRefine(authProblem),
  VerifyClient.safeExtend(submitKeys).superRefine(authProblem),
  OpportunisticVerifyClient.safeExtend(submitKeys).superRefine(authProblem),
] as const;

/** How mailhop's injecting client talks to the first hop (a scenario's `submit:` takes the application too: submit.ts). */
export const Submit = z.preprocess(defaultTls, z.discriminatedUnion('tls', [...SUBMIT_VARIANTS]));
export type Submit = z.output<typeof Submit>;

/** For submit.ts: `tls: opportunistic` where `tls` is absent. */
export { defaultTls };
