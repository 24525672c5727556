/**
 * What a hop's queue hands its sender: the queued message, where and how to relay it (RelayTarget), which
 * delivery a connection carries, and what a session or an attempt decided. Shared by the attempt
 * (deliver-attempt.ts), its sessions (sender-session.ts) and the chain that builds the targets.
 */
import type { Outbound, Submit } from '../scenario/schema.js';
import type { SessionEvent, TlsPolicyFact } from '../trace/events.js';
import type { TlsaRecordData } from '../dns/dane-match.js';
import type { Trace } from '../trace/trace.js';
import type { ClientTlsContexts } from './client-tls-contexts.js';
import type { ConnectionWaits } from './connection-waits.js';
import type { InboundFact } from './effective-policy.js';
import type { TlsSessionCache } from './tls-session-cache.js';

/** A message in a hop's queue. */
export interface QueuedMessage {
  id: string;
  from: string;
  to: string[];
  raw: Buffer;
  /** Virtual time it entered this hop's queue, ms. */
  arrivedAt: number;
  inbound: InboundFact | null;
  /** Present (true) when the message is tagged REQUIRETLS (RFC 8689 §4.1): it came with the MAIL parameter, or was submitted so. */
  requireTls?: true;
  /** Attempts made so far on this hop. */
  attempts: number;
  /**
   * The recipient domain this copy is for, when a hop that routes by MX split the message per destination
   * (RFC 5321 §5.1); its `to` are that domain's recipients. Absent on every other hop.
   */
  destination?: string;
}

/** Everything a hop needs to relay over its outbound link. */
export interface RelayTarget {
  /** Sending hop id (`client` for the submission). */
  hop: string;
  link: string;
  policy: Outbound | Submit;
  /** Where to connect: the link proxy in front of the next hop. */
  address: { host: string; port: number };
  /** The next hop's hostname (SNI and certificate name check). */
  servername: string;
  /** Name this hop gives in EHLO. */
  ehloName: string;
  /** The next hop speaks TLS from the first byte (RFC 8314 §3): no STARTTLS, nothing to fall back to. */
  implicitTls: boolean;
  /** PEM CA certificates a `verify` client trusts (the run's CA). */
  ca: string[];
  /**
   * PEM certificates the next hop serves after its own (its chain: the run's CA for `cert: valid-chain`, else none):
   * the only trust anchors a DANE-TA(2) record can match, as the server must present it (RFC 7672 §3.1.2). Node
   * completes a peer's chain from the client's own trust store, so the chain is known from what the hop serves.
   */
  presentedChain?: readonly string[];
  /** The chain's reusable client TLS contexts (one per cipher string); without it each handshake builds its own. */
  tlsContexts?: ClientTlsContexts;
  /** The TLS session kept for this next hop (tls-session-cache.ts): the relay queue adds it under `tlsResumption: tickets`. */
  tlsSessions?: TlsSessionCache;
  trace: Trace;
  /** Virtual clock reading, ms. */
  now: () => number;
  /**
   * Told as soon as a connection is open, before any byte is exchanged, so the link proxy can
   * tell which message, attempt and connection a TCP connection (by the sender's local port) carries.
   */
  onConnect?: (info: ConnectionInfo) => void;
  /**
   * How the waits of the connection from `localPort` elapse (connection-waits.ts); default real time. A chain's
   * move to its virtual clock once mailhop's own stall fault silenced the connection (chain/stalled-connections.ts).
   */
  waits?: (localPort: number) => ConnectionWaits;
  /**
   * The policy that decides TLS for this MX host, for a hop that routes by MX (dane-policy.ts): its words, whether
   * it makes TLS mandatory whatever the hop's own policy says (RFC 7672 §2.2), and the TLSA records to match.
   */
  dnsPolicy?: {
    fact: TlsPolicyFact;
    requiresTls: boolean;
    tlsa: readonly TlsaRecordData[];
    /** MTA-STS enforce (RFC 8461 §4.2): the certificate must verify by the run's CA and name the MX host (`verify`). */
    verifies?: boolean;
    /**
     * MTA-STS enforce as Postfix's policy map has it (`mtaStsCheck: policy-map`, mta-sts/policy-map.ts): the
     * certificate must chain to the run's CA and one of its names match one of these entries (`.x`: any subdomain),
     * instead of being valid for the MX name.
     */
    certMatch?: readonly string[];
    /** MTA-STS testing (RFC 8461 §5): TLS failures are recorded on the session but change nothing. */
    reportsOnly?: boolean;
  };
}

/** Which delivery a TCP connection carries, keyed by the sender's local port. */
export interface ConnectionInfo {
  localPort: number;
  /** The sender's local address: a connection is its address and port together (another address may use the same port). */
  localAddress: string;
  messageId: string;
  /** Delivery attempt of the message on this link, from 1. */
  attempt: number;
  /** Connection within the attempt, from 1 (2 after a reconnect fallback). */
  connection: number;
}

/** What an attempt decided for the message. */
export interface AttemptOutcome {
  result: 'relayed' | 'deferred' | 'bounced';
  reply: SessionEvent['reply'];
  /** The attempt's first session failed its TLS handshake (what `fallbackMemory: destination-run` remembers). */
  handshakeFailed?: boolean;
  /** The link the attempt ended on, when it is not the queue's own (an MX host after others, mx-delivery.ts). */
  link?: string;
}

/** What one session decided (`fallback`: the handshake failed and a plaintext reconnect is allowed). */
export type SessionResult = Pick<SessionEvent, 'result' | 'reply'> & { handshakeFailed?: boolean };
