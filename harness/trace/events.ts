/**
 * Typed events of a run, recorded in order. Runtime code only emits these; verdicts are pure
 * functions of the recorded trace (verdict/), and reports only render verdicts (report/).
 *
 * Three witnesses report on every link: the `sender` (the relaying hop or the injecting client),
 * the `receiver` (the next hop's SMTP server) and the `wire` (the link proxy in between).
 */
import type { TlsSummary, TranscriptLine, SmtpReply } from '../mta/smtp-client.js';
import type { WireRecord } from '../link/wire-record.js';
import type { HopKind, RealEngineName } from '../scenario/hop-kind.js';

/** The TLS policy actually in force for one delivery attempt, after preserve-inbound and enforce lists. */
export type EffectivePolicy = 'none' | 'opportunistic' | 'mandatory' | 'verify';

/** Fields every event has. */
export interface EventBase {
  /** Order of recording, from 1. */
  seq: number;
  /** Virtual time since the run started, ms. */
  at: number;
  /** Link name, e.g. `gateway->mailbox` (`client->first` for the submission). */
  link: string;
}

/**
 * RFC 8460 §4.3 result types for failed TLS negotiation, plus `handshake-failure` for a
 * handshake that broke without a certificate reason (closed, alert, garbage, timeout).
 */
export type TlsFailureType =
  | 'starttls-not-supported'
  | 'starttls-rejected'
  | 'handshake-failure'
  | 'certificate-not-trusted'
  | 'certificate-expired'
  | 'certificate-host-mismatch'
  | 'validation-failure'
  // Policy from DNS (RFC 8460 §4.3.1, §4.3.2): no TLSA record matched the certificate; the TLSA lookup did not
  // validate (bogus, SERVFAIL, no answer); DANE required but no usable TLSA records under DNSSEC.
  | 'tlsa-invalid'
  | 'dnssec-invalid'
  | 'dane-required'
  // MTA-STS (RFC 8460 §4.3.2.2): the policy could not be fetched (unreachable, timeout, an HTTP status other than
  // 200, a redirect); what was fetched is no valid policy (syntax, media type); the policy host's certificate failed.
  | 'sts-policy-fetch-error'
  | 'sts-policy-invalid'
  | 'sts-webpki-invalid';

/**
 * Which policy decided a session's TLS when the sender routes by MX: `dane` (RFC 7672: TLSA records under DNSSEC),
 * `mta-sts` (RFC 8461), the hop's own policy when it requires TLS (`hop`), or `none` (opportunistic, nothing
 * required). `words` say it in plain language for reports.
 */
export interface TlsPolicyFact {
  source: 'none' | 'dane' | 'mta-sts' | 'hop';
  words: string;
  /** DANE with usable TLSA records: the certificate must match one (false: only unusable records, TLS unauthenticated). */
  authenticates?: boolean;
  /** The TLSA record (presentation form) the presented certificate matched, when one did. */
  matched?: string;
  /** For `mta-sts`: the policy's mode (RFC 8461 §5): `enforce` requires TLS and a valid certificate, `testing` only records. */
  stsMode?: 'enforce' | 'testing';
  /** The policy as RFC 8460 §4.4 `policy-string` has it: each TLSA record, or each line of an MTA-STS policy (TLS-RPT reports, harness/tlsrpt/). */
  policyString?: string[];
  /** MTA-STS: the policy's `mx` patterns (RFC 8460 §4.4 `mx-host`). */
  mxHost?: string[];
}

/**
 * Sender's account of one SMTP session (one TCP connection) carrying one message on one attempt.
 */
export interface SessionEvent extends EventBase {
  kind: 'session';
  source: 'sender';
  /** The sending hop's id (`client` for the injecting client). */
  hop: string;
  messageId: string;
  /** Delivery attempt number of this message on this link, from 1. */
  attempt: number;
  /** Connection number within the attempt (2 after a reconnect fallback). */
  connection: number;
  /** Local TCP port of the sender's socket (matches WireRecord.clientPort). */
  localPort: number;
  policy: EffectivePolicy;
  /** Why `policy` is in force for this message, e.g. `tls: none` or `preserve-inbound strict, the message arrived at gateway in plaintext` (effective-policy.ts). */
  policyReason?: string;
  /** Whether the policy in force required TLS for content to be sent. */
  requiresTls: boolean;
  /** This connection deliberately skipped STARTTLS because a fallback chose plaintext. */
  plaintextRetry: boolean;
  starttlsAdvertised: boolean | null;
  starttlsSent: boolean;
  starttlsReply?: { code: number; text: string };
  tls: TlsSummary | null;
  /** Why TLS was not achieved or not accepted, as an RFC 8460 result type. */
  tlsFailure?: { type: TlsFailureType; detail: string };
  /** Message content (after DATA/354) was written on this connection; `encrypted` tells how. */
  contentSent: null | { encrypted: boolean };
  /** How the session ended for the message. */
  result: 'relayed' | 'deferred' | 'bounced' | 'fallback';
  /** The reply that decided the result (or a local reason), e.g. `250 2.0.0 Ok` or `4.7.4 TLS is required...`. */
  reply: { code: number; enhanced?: string; text: string };
  transcript: TranscriptLine[];
  /**
   * Present when this transaction ran on a session kept open after earlier ones (`outbound.reuse`,
   * `fallbackMemory: session`): `transaction` is its place on the connection (2 for the second), `after` the
   * messages the earlier transactions carried, in order. The STARTTLS and TLS fields are then the session's,
   * from before its first transaction, and the connection's one wire record is this event's too.
   */
  sharedSession?: { transaction: number; after: string[] };
  /** The policy that decided TLS on this session, for a hop that routes by MX (mta/dane-policy.ts). */
  tlsPolicy?: TlsPolicyFact;
  /** The recipient domain, when a hop that routes by MX split the message per destination (mta/mx-delivery.ts). */
  destination?: string;
  /**
   * For a message tagged REQUIRETLS at a level that sends it (RFC 8689 §4.2.1): whether the server listed REQUIRETLS
   * in the EHLO reply of this TLS session, and whether MAIL FROM carried the parameter.
   */
  requireTls?: { advertised: boolean; sent: boolean };
  /**
   * Replies the client read inside TLS whose bytes had arrived in clear before the handshake (`starttlsTrailingData:
   * keep`), each with the command it took it as the answer to, e.g. `{ command: 'EHLO', reply: '250-evil / 250 AUTH
   * PLAIN' }`: what it believed that no TLS protected (RFC 3207 §4.2). Absent when there were none.
   */
  preTlsReplies?: Array<{ command: string; reply: string }>;
}

/** The receiving hop accepted a message (after the final `.`). */
export interface AcceptedEvent extends EventBase {
  kind: 'accepted';
  source: 'receiver';
  hop: string;
  messageId: string;
  secure: boolean;
  /** `exporter`: the session's exported keying material as the receiver computed it (see `TlsSummary.exporter`); absent when the hop's TLS is not the sender's session (a vulnerable-injection front re-terminates it). */
  tls: { version: string; cipher: string; nullCipher: boolean; exporter?: string } | null;
  /** RFC 3848 transmission type written in the Received header (ESMTP, ESMTPS). */
  protocol: string;
  /** The port the hop's peer connected from (behind a front, the front's client; in a chain, `WireRecord.upstreamPort` of the connection). */
  remotePort: number;
  /** What a recipient at this hop could read in the message's trace headers (verdict/header-reconstruction.ts). */
  received?: ReceivedRecord;
  /** Present (true) when the hop took MAIL FROM with REQUIRETLS and tagged the message (RFC 8689 §4.1). */
  requireTls?: true;
}

/**
 * The Received headers of a message as a hop stored it, and the names that hop signs them with. The trace
 * holds each header once across a message's copies (received-stack.ts); `headers` reads the whole stack.
 */
export interface ReceivedRecord {
  /** Every Received header, top-down (this hop's own first), unfolded. */
  headers: string[];
  /** The names this hop appears under in Received headers: its hostname (its HELO) and the host after its `by`. */
  hopNames: string[];
}

/** The receiving hop refused a command (e.g. 530 before STARTTLS). */
export interface RefusedCommandEvent extends EventBase {
  kind: 'refused-command';
  source: 'receiver';
  hop: string;
  command: string;
  reply: string;
}

/**
 * A receiving hop executed plaintext commands that arrived with its STARTTLS, before the TLS
 * handshake, as if they had come inside TLS (STARTTLS command injection, CVE-2011-0411 class;
 * docs/behaviour.md#A-inject-command). Only a `vulnerable-injection` hop does this; a correct one discards
 * them (RFC 3207 §4.2).
 */
export interface StarttlsInjectionEvent extends EventBase {
  kind: 'starttls-injection';
  source: 'receiver';
  hop: string;
  /** The executed command lines, in order, without CRLF, e.g. `['RSET']`. */
  commands: string[];
  /** The port the session came from, as the hop names its peer (behind a front, the front's client): equals `AcceptedEvent.remotePort` of messages on it. */
  serverPort: number;
}

/** One connection seen by the link proxy. */
export interface WireEvent extends EventBase {
  kind: 'wire';
  source: 'wire';
  record: WireRecord;
}

/** A hop put a message in its queue (or the client prepared one for submission). */
export interface QueuedEvent extends EventBase {
  kind: 'queued';
  source: 'sender';
  hop: string;
  messageId: string;
  /** How the message arrived: the fact preserve-inbound decides on (kept per message, not per connection). */
  inboundTls: { version: string; cipher: string } | null;
  /** The recipient domain, when a hop that routes by MX split the message per destination (mta/mx-delivery.ts). */
  destination?: string;
  /** Present (true) when the message is tagged REQUIRETLS (RFC 8689 §4.1): on the client's, it was submitted so. */
  requireTls?: true;
}

/** The next attempt of a deferred message was scheduled. */
export interface DeferredEvent extends EventBase {
  kind: 'deferred';
  source: 'sender';
  hop: string;
  messageId: string;
  attempt: number;
  /** Virtual time of the next attempt, ms. */
  nextAttemptAt: number;
  reply: { code: number; enhanced?: string; text: string };
  /** The recipient domain, when a hop that routes by MX split the message per destination (mta/mx-delivery.ts). */
  destination?: string;
}

/** A hop gave up on a message: 5xx reply or queue lifetime reached; a DSN was generated. */
export interface BouncedEvent extends EventBase {
  kind: 'bounced';
  source: 'sender';
  hop: string;
  messageId: string;
  reply: { code: number; enhanced?: string; text: string };
  /** Recipient of the DSN (the envelope sender); `''` for the null sender, which gets none (RFC 5321 §4.5.5), or when a real engine's log does not say. */
  dsnTo: string;
  /** The recipient domain, when a hop that routes by MX split the message per destination (mta/mx-delivery.ts). */
  destination?: string;
}

/** The final hop stored a message in its mailbox. */
export interface DeliveredEvent extends EventBase {
  kind: 'delivered';
  source: 'receiver';
  hop: string;
  messageId: string;
  /**
   * The stored copy's trace headers, when the hop's `accepted` event could not carry them: a real engine logs
   * accepting a message before it writes the Maildir file a recipient reads (engines/engine-fact-events.ts).
   */
  received?: ReceivedRecord;
  /** The recipient domain of the copy, in a chain that routes by MX (each MX target stores one domain's copies). */
  destination?: string;
}

/**
 * A hop of the chain is up: its server listens (a mock's or a real engine's), or, for an external server, mailhop
 * will reach it where the scenario says. One per hop, recorded before any message, by whatever started it
 * (chain/chain.ts for mocks, engines/start-engine.ts, engines/chain-engines.ts for external servers). It says
 * who sends on the hop's outbound link, so that every judgement takes that sender's account from the right
 * witness (verdict/sender-witness.ts), and which name the hop signs its Received headers with.
 */
export interface HopStartedEvent extends EventBase {
  kind: 'hop-started';
  source: 'chain';
  /** `link`: the hop's inbound link (`client->first`, `prev->this`). */
  hop: string;
  hopKind: HopKind;
  /** For an engine hop: which real MTA. */
  engine?: RealEngineName;
  /** The link it sends on; null for the final mailbox. */
  outboundLink: string | null;
  /** A hop that routes by MX: every link it sends on, one per MX target (`outboundLink` is the first). */
  routes?: string[];
  /** `<id>.mailhop.test`: its EHLO name and the host it writes after `by`; absent for an external server (its names are its own). */
  hostname?: string;
  /** Where its SMTP server listens (for an external server: its address). */
  address: { host: string; port: number };
  /** For an engine hop: the outbound TLS policy its configuration amounts to (a leak is content in clear under `mandatory`). */
  policy?: EffectivePolicy;
  /**
   * For an engine hop that routes by MX: the recipient domains' DNS requires TLS on its outbound link (DANE, RFC 7672
   * §2.2, or MTA-STS enforce, RFC 8461 §5), in words (engines/engine-dns.ts `dnsRequiresTlsWords`); content in clear
   * there is a leak.
   */
  dnsRequiresTls?: string;
  /** In words, e.g. `postfix listening on 127.88.1.2:2525`. */
  line: string;
}

/**
 * What a real MTA's own log said (harness/engines/), reduced to one fact:
 * - `tls`: an outbound connection established TLS (`tls`: version and cipher as the engine logs them).
 * - `tls-failed`: an outbound STARTTLS or handshake failed (the line says how).
 * - `plaintext-fallback`: after a failed handshake the engine goes on without TLS.
 * - `relayed`, `deferred`, `bounced`: the delivery status of a message on the outbound link.
 * - `dsn`: it queued a delivery status notification (RFC 3464) to the envelope sender of a message it bounced.
 *
 * A real engine emits no `session` events: these facts are its account as the sender on its outbound link
 * (verdict/engine-sender.ts), beside the receiver's and the wire's.
 */
export interface EngineEvent extends EventBase {
  kind: 'engine';
  source: 'engine';
  /** The engine's hop id. */
  hop: string;
  engine: RealEngineName;
  fact: 'tls' | 'tls-failed' | 'plaintext-fallback' | 'relayed' | 'deferred' | 'bounced' | 'dsn';
  /** mailhop id of the message, when the line (or the engine's queue id) names it. */
  messageId?: string;
  /**
   * For `tls` (and `relayed` over TLS): what the engine logged; `verified` when the log says it verified the
   * certificate, chain and name (Postfix `Verified TLS connection`, Exim `CV=yes`, Sendmail `verify=OK` under its
   * CN requirement, OpenSMTPD `server-cert-check result="success"`). `dane` when the engine applies DANE
   * (`outbound.dane` honor/require, routed by MX) and verified the certificate, which it then did by the TLSA
   * records (RFC 7672 §3; Postfix `Verified TLS connection` at level dane, Exim `CV=dane`). `mtaSts` when the engine
   * applies MTA-STS (`outbound.mtaSts: honor`, Postfix with its policy resolver) and verified the certificate: only an
   * `enforce` policy makes it verify (RFC 8461 §4.2; Postfix `Verified` at level secure). Both when it applies both:
   * one of the two verified it (Postfix logs `Verified` only at level dane with a TLSA match, or at level secure from
   * the policy map), its log does not say which.
   */
  tls?: { version: string; cipher: string; verified?: true; dane?: true; mtaSts?: true };
  /** What the line says in short: the reply or reason for relayed/deferred/bounced and failures, e.g. `Cannot start TLS: handshake failure`; for `dsn`, its recipient. */
  detail?: string;
  /** The log line, without the syslog prefix (at most 300 characters). */
  line: string;
}

/** One DNS lookup by a sender, for one message copy. */
export interface DnsEvent extends EventBase {
  kind: 'dns';
  source: 'sender';
  /** The hop that looked up (it routes by MX). `link`: for a TLSA lookup, the link to that MX host; for an MX lookup, the hop's first route. */
  hop: string;
  messageId: string;
  /** The recipient domain the message copy is for. */
  destination: string;
  name: string;
  type: 'MX' | 'TLSA' | 'TXT' | 'A';
  /** `answer` (records, maybe none), `nxdomain`, `servfail` (bogus or failing zones), `refused`, `timeout`. */
  outcome: 'answer' | 'nxdomain' | 'servfail' | 'refused' | 'timeout';
  /** The AD bit: the answer was DNSSEC-validated (RFC 4035 §3.2.3). */
  ad: boolean;
  /** The records in presentation form, e.g. `10 mx-a.mailhop.test`, `3 1 1 5a0c…` (RFC 6698 §2.2). */
  answers: string[];
  /** Answered from the routing hop's cache (an earlier lookup's answer, within its TTL), not asked again. */
  cached?: boolean;
  /** What the answer decided for the MX host, in plain words (e.g. `TLS required and authenticated by TLSA`). */
  decision?: string;
  /** When the answer made the MX host unusable: its RFC 8460 result type (`dnssec-invalid`, `dane-required`). */
  failure?: TlsFailureType;
}

/**
 * What a hop that routes by MX did about MTA-STS (RFC 8461) for one copy on one attempt (mta/sts-policy.ts): `policy`,
 * the discovery for the destination (TXT id, cache, fetch; filed under the link to its first MX host);
 * `mx`, the check of one MX host against the policy's patterns (filed under the link to that host).
 */
export interface MtaStsEvent extends EventBase {
  kind: 'mta-sts';
  source: 'sender';
  hop: string;
  messageId: string;
  /** The recipient domain (the policy domain). */
  destination: string;
  step: 'policy' | 'mx';
  /** For `mx`: the MX host checked. */
  mxHost?: string;
  /** The policy that applies after this step, and where it came from; absent: no policy applies. */
  policy?: { id: string; mode: 'enforce' | 'testing' | 'none'; mx: string[]; maxAge: number; from: 'fetched' | 'cache' };
  /** The HTTPS fetch, when one was made (RFC 8461 §3.3): its URL, the address connected to, the status, or why it failed. */
  fetch?: { url: string; address?: string; status?: number; contentType?: string; ok: boolean; detail?: string };
  /** What the step decided, in plain words. */
  decision: string;
  /** A failure, by its RFC 8460 result type (`sts-policy-fetch-error`, `sts-policy-invalid`, `sts-webpki-invalid`, `validation-failure`). */
  failure?: TlsFailureType;
}

/**
 * An MTA-STS policy host's own account of one HTTPS request it answered (mta-sts/policy-host.ts): what crossed, from
 * the server's side. `link` is the host's name, `mta-sts.<domain>`.
 */
export interface PolicyServedEvent extends EventBase {
  kind: 'policy-served';
  source: 'policy-host';
  domain: string;
  /** The name the client sent in TLS SNI (false: none). */
  servername: string | false;
  method: string;
  path: string;
  /** The Host header. */
  host: string | undefined;
  /** The HTTP status answered. */
  status: number;
}

/**
 * The application under test sends on the submission link (`submit: { sender: app }`, link `client->first`): recorded
 * once when the chain starts, without `messageId`, and once per message a test announces before its application submits
 * it (`chain.expectSubmission()`), with the id that message will have, so that mail the application then refuses to
 * send is still judged (`refused` on the link, `rejected`).
 */
export interface AppSenderEvent extends EventBase {
  kind: 'app-sender';
  source: 'chain';
  messageId?: string;
}

export type TraceEvent =
  | AppSenderEvent
  | SessionEvent
  | AcceptedEvent
  | RefusedCommandEvent
  | StarttlsInjectionEvent
  | WireEvent
  | QueuedEvent
  | DeferredEvent
  | BouncedEvent
  | DeliveredEvent
  | HopStartedEvent
  | EngineEvent
  | DnsEvent
  | MtaStsEvent
  | PolicyServedEvent;

/** An event as emitted, before the trace numbers and timestamps it. */
export type NewEvent = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 'at'> : never) : never;

/** Converts a reply into the event shape. */
export function replyOf(reply: SmtpReply): { code: number; enhanced?: string; text: string } {
  return { code: reply.code, enhanced: reply.enhanced, text: reply.text };
}
