/**
 * How a hop receives: its inbound STARTTLS mode (its SMTP server), the certificate it presents, its TLS
 * parameters and the Received header it writes; also the TLS vocabulary both directions share (versions, cipher
 * strings). One discriminated union over `starttls`, so a key only exists where it means something. Part of the
 * scenario schema (policies.ts and schema.ts re-export everything here).
 *
 * Vocabulary follows docs/behaviour.md#servers (inbound modes).
 */
import tls from 'node:tls';
import { z } from 'zod';
import { RealWait } from './duration.js';
import { EhloShape } from './ehlo-shape.js';

export { EhloShape } from './ehlo-shape.js';

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

/**
 * Which certificate a hop presents; all but `valid` and `valid-chain` fail a `verify` client (RFC 8460 §4.3.1 result
 * types). `valid-chain` is `valid` served with the run's CA certificate after it: the chain a server with DANE-TA(2)
 * records must present (RFC 7672 §3.1.2), without which no DANE client can match such a record.
 */
export const CertKind = z.enum(['valid', 'valid-chain', 'self-signed', 'expired', 'not-yet-valid', 'wrong-host', 'untrusted-ca']);
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
 * Whether the hop lets a client resume an earlier TLS session (docs/behaviour.md#B-resumption):
 * - `tickets` (default, as OpenSSL servers and Postfix's smtpd): the hop issues session tickets (RFC 8446 §4.6.1,
 *   RFC 5077) under ticket keys it keeps for the run (one TLS context for every connection), and resumes a session
 *   whose ticket a client offers.
 * - `none`: it takes no ticket (OpenSSL's SSL_OP_NO_TICKET, and no server-side session cache): every handshake is a
 *   full one, whatever the client offers.
 */
export const InboundResumption = z.enum(['tickets', 'none']);
export type InboundResumption = z.infer<typeof InboundResumption>;

/**
 * TLS parameters of a hop's server side. Versions below TLSv1.2 need `SECLEVEL=0` on both ends (added
 * automatically unless `ciphers` is given, which then replaces it).
 */
export const InboundTls = z.strictObject({
  minVersion: TlsVersion.optional(),
  maxVersion: TlsVersion.optional(),
  /** Cipher suites the hop accepts, e.g. `eNULL:@SECLEVEL=0` (a client must allow them too: `outbound.tlsCiphers`). */
  ciphers: CipherString.optional(),
  /** Whether a client may resume a session with this hop (InboundResumption); absent: `tickets`. */
  resumption: InboundResumption.optional(),
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

/**
 * When a hop takes SMTP AUTH (RFC 4954, mechanisms PLAIN and LOGIN, any user and password accepted):
 * - `after-tls`: listed in every EHLO reply, refused before STARTTLS with `538 5.7.0 Error: Must issue a STARTTLS
 *   command first` (smtp-server's own; RFC 4954 §6 gives 538 for "encryption required"), accepted inside TLS;
 * - `always`: accepted in clear too (smtp-server `allowInsecureAuth`), as a submission server that never required TLS.
 * Without STARTTLS (`starttls: none`) only `always` offers it.
 */
export const InboundAuth = z.enum(['after-tls', 'always']);
export type InboundAuth = z.infer<typeof InboundAuth>;

/**
 * Whether a hop's SMTP server supports REQUIRETLS (RFC 8689, docs/behaviour.md#B-requiretls):
 * - `advertise`: `REQUIRETLS` in the EHLO reply once the session is TLS, never before (RFC 8689 §2: the server
 *   advertises it in the EHLO after STARTTLS); `MAIL FROM:<...> REQUIRETLS` in a TLS session tags the message, which
 *   the hop then relays under its `outbound.requireTls` (RFC 8689 §4.1). In a plaintext session the parameter is
 *   refused `555 5.5.4`, as a parameter of an extension the session did not advertise (RFC 5321 §4.1.1.11).
 * - `none` (absent): not advertised, and the parameter refused `555 5.5.4 Unsupported option: REQUIRETLS`, in
 *   plaintext and over TLS, as Debian 12's Postfix 3.7.11 and Sendmail 8.17.1.9 were observed to (Exim 4.96 and
 *   OpenSMTPD 6.8.0p2 refuse it too, with 501 and 503).
 * - `ignore`: not advertised, yet the parameter accepted and forgotten: a server that takes MAIL parameters it does not
 *   know, so the message goes on untagged (the flag dropped silently; smtp-server's own behaviour with `hideREQUIRETLS`).
 */
export const InboundRequireTls = z.enum(['advertise', 'none', 'ignore']);
export type InboundRequireTls = z.infer<typeof InboundRequireTls>;

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
  /** SMTP AUTH (RFC 4954) the hop offers, PLAIN and LOGIN, any user and password: {@link InboundAuth}; absent: none. */
  auth: InboundAuth.optional(),
  /** REQUIRETLS support (InboundRequireTls); absent: `none`. */
  requireTls: InboundRequireTls.optional(),
  /** The shape of the EHLO reply (EhloShape: STARTTLS last, lower case, extra or trailing spaces, `AUTH=`); absent: smtp-server's own. */
  ehlo: EhloShape.optional(),
};

/** Modes that take no key of their own. */
const SimpleInbound = z.strictObject({
  starttls: z.literal(['offer', 'none', 'hidden', 'implicit', 'fake-454', 'fake-502']),
  ...inboundCommon,
});
/**
 * `require`: STARTTLS offered, and MAIL before TLS refused with `requireReply` (default `530 5.7.0 Must issue a STARTTLS
 * command first`). Exchange Online answers `451 5.7.3 STARTTLS is required to send mail` (a 4xx, so senders defer
 * rather than bounce; Microsoft's documentation), Postfix's reject_plaintext_session a 450 (`plaintext_reject_code`,
 * postconf(5)); the line is sent as written, its enhanced code too (mta/own-enhanced-codes.ts).
 */
const RequireInbound = z.strictObject({
  starttls: z.literal('require'),
  requireReply: FailureReplyLine.optional(),
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
export const Inbound = z.preprocess(defaultStarttls, z.discriminatedUnion('starttls', [SimpleInbound, RequireInbound, FakeReplyInbound, BreakHandshakeInbound, VulnerableInjectionInbound]));
export type Inbound = z.output<typeof Inbound>;
/** The inbound variants, for merging a preset under a hop (hop.ts). */
export const INBOUND_VARIANTS = [SimpleInbound, RequireInbound, FakeReplyInbound, BreakHandshakeInbound, VulnerableInjectionInbound];

