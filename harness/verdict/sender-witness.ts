/**
 * The sender's witness of a link, whatever runs the sender. Three witnesses report on every link
 * (trace/events.ts): the receiver (its `accepted` events) and the wire (the link proxy's records) are the same
 * on every link; the sender's account depends on its kind (scenario/hop-kind.ts):
 * - the injecting client or a mock hop (mock-sender.ts): a `session` event per SMTP session, transcript included;
 * - a real engine (engine-sender.ts): what its own log said (`engine` events), beside the wire's connections;
 * - an external server (external-sender.ts): nothing of its own; the wire's connections stand for its sessions.
 * Verdicts, counts and every view of a link go through this interface (link-verdict.ts picks the
 * implementation from the sending hop's `hop-started` event), so they treat every sender alike.
 */
import type { LinkVerdictName } from '../scenario/schema.js';
import type { RealEngineName, SenderKind } from '../scenario/hop-kind.js';
import type { EngineEvent, SessionEvent } from '../trace/events.js';
import type { FaultAttribution } from './fault-attribution.js';
import type { PolicyFailure } from './dns-policy-facts.js';

/** How each witness saw the deciding session: `tls`, `plain`, or absent when it saw nothing. */
export interface Witnesses {
  sender?: 'tls' | 'plain';
  receiver?: 'tls' | 'plain';
  wire?: 'tls' | 'plain';
}

/** The verdict for one message on one link (link-verdict.ts says what each verdict means). */
export interface MessageLinkVerdict {
  link: string;
  messageId: string;
  verdict: LinkVerdictName;
  /** TLS version and cipher of the deciding session, when TLS was established. */
  version?: string;
  cipher?: string;
  /**
   * The deciding session's TLS was a resumed session (an abbreviated handshake, docs/behaviour.md#B-resumption): no
   * certificate crossed on it; absent after a full handshake or without TLS.
   */
  resumed?: true;
  /** Sessions (TCP connections) the sender opened for this message on this link. */
  sessions: number;
  witnesses: Witnesses;
  /** Set when the witnesses disagree, saying how. */
  disagreement?: string;
  /** Message content crossed this link unencrypted on some session. */
  crossedInClear: boolean;
  /** Content crossed unencrypted on a session whose policy required TLS (or a REQUIRETLS message's promise broke here: `requireTlsLeak`). */
  leak: boolean;
  /** For a message submitted with REQUIRETLS: why its crossing of this link broke the promise (require-tls-verdict.ts). */
  requireTlsLeak?: string;
  /** Human-readable facts behind the verdict (fallbacks, failures, refusals, what link faults did). */
  notes: string[];
  /**
   * Replies the sender read inside TLS that had arrived in clear before the handshake, one sentence per session
   * (believed-replies.ts): always a failure. Absent when none did (or the sender's account cannot tell: an engine,
   * an external server, the application).
   */
  believedReplies?: string[];
  /** Link faults that acted on this message's sessions, in session order; absent when none did. */
  faults?: FaultAttribution[];
  /**
   * For a sender that routes by MX: the policy in force on the link (`none`, `dane`, `mta-sts`, or `hop`, its own)
   * in plain words, and the TLSA record the certificate matched (dns-policy-facts.ts).
   */
  policy?: { source: 'none' | 'dane' | 'mta-sts' | 'hop'; words: string; matched?: string };
  /** For a sender that routes by MX: each failure on the link with its RFC 8460 §4.3 result type. */
  failures?: PolicyFailure[];
}

/**
 * One thing the sender itself recorded about a message on the link: an SMTP session mailhop's own sender
 * opened (`session`), or a line of a real engine's log (`log`). An external server records nothing here.
 */
export type SenderStatement =
  | { kind: 'session'; session: SessionEvent }
  | { kind: 'log'; fact: EngineEvent };

/** The sender's side of one link. */
export interface SenderWitness {
  readonly link: string;
  /** Who sends: `client`, `mock`, `engine` or `external`. */
  readonly kind: SenderKind;
  /** The sending hop's id (`client` for the injecting client). */
  readonly hop: string;
  /** For an engine: which real MTA (its log is the account). */
  readonly engine?: RealEngineName;
  /**
   * The verdict on `messageId` on this link, weighing this sender's account with the receiver's and the wire's. With
   * `destination`, only that recipient domain's copy (a hop routing by MX split the message, RFC 5321 §5.1): its own
   * sessions, the acceptance on their connections and its DNS lookups; senders that do not split ignore it.
   */
  judge(messageId: string, destination?: string): MessageLinkVerdict;
  /** SMTP sessions opened on the link over the run, every message together (for a sender without sessions: the connections the wire saw). */
  sessions(): number;
  /** What the sender itself recorded about `messageId` on this link, in trace order; empty for an external server. */
  account(messageId: string): SenderStatement[];
}
