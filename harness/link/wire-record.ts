/**
 * What the wire witness saw on one TCP connection of one link: the plain facts a verdict is
 * computed from (record first, judge later). Produced by {@link WireWitness}; never judged here.
 */
import type { TlsAlert, TlsVersion } from './tls-hello.js';
import type { CredentialsInClear } from './sasl-in-clear.js';

export type { CredentialsInClear } from './sasl-in-clear.js';

/** Which side of the link: the connecting client (`C`) or the server it reaches (`S`). */
export type WireDirection = 'C' | 'S';

/**
 * How far the TLS handshake got.
 * - `none`: no ClientHello crossed the link.
 * - `started`: a ClientHello crossed; the outcome is not known yet.
 * - `established`: a ServerHello was seen and then application-data records (type 23) flowed
 *   from the client and, after that, from the server.
 * - `failed`: a ClientHello crossed, but an alert, non-TLS bytes or the end of the connection
 *   came before `established`.
 */
export type HandshakeState = 'none' | 'started' | 'established' | 'failed';

/** An SMTP reply (RFC 5321 §4.2): the code, and the text of every line after the code, joined by `\n`. */
export interface SmtpReply {
  /** e.g. `220`, `454`. */
  code: number;
  /** e.g. `Ready to start TLS`; the enhanced status code, when sent, is part of the text. */
  text: string;
}

/** A plaintext command as the client sent it. */
export interface SmtpCommand {
  /** Upper-cased first word, e.g. `MAIL`, `STARTTLS`. */
  verb: string;
  /** The rest of the line, e.g. `FROM:<a@b.test> SIZE=120`; verb and argument together are cut at 200 chars. */
  arg: string;
}

/** One line of the compact transcript, or a `[...]` summary of a TLS phase or a message. */
export interface TranscriptEntry {
  dir: WireDirection;
  /** The line without CRLF, at most 1 KiB (longer lines end in `…` and their size in bytes). */
  text: string;
}

/** What the ServerHello negotiated. */
export interface WireTls {
  version: TlsVersion;
  /** OpenSSL-style name for common suites (`TLS_AES_256_GCM_SHA384`, `ECDHE-ECDSA-AES256-GCM-SHA384`), else `0xC02C`. */
  cipher: string;
  /** The IANA cipher suite code. */
  cipherCode: number;
  /** True for eNULL suites: the session is not encrypted (docs/behaviour.md#A-enull). */
  nullCipher: boolean;
}

/** A plaintext TLS alert and the side that sent it. */
export interface WireAlert extends TlsAlert {
  from: 'client' | 'server';
}

/** Why a socket closed, from Node's error. */
export interface WireError {
  /** e.g. `ECONNRESET`, `ECONNREFUSED`. */
  code?: string;
  message: string;
}

/**
 * What a fault's action did to the link's security, for verdicts to attribute:
 * - `tls-denied`: kept TLS from being used on this connection (STARTTLS hidden, refused or its
 *   handshake broken), so plaintext that follows is the attacker's doing (verdict `stripped`);
 * - `tls-intercepted`: the client's TLS session ends at the fault, which opened another one to the
 *   server (docs/behaviour.md#A-intercept): encrypted on the wire, exposed in the middle.
 */
export type FaultEffect = 'tls-denied' | 'tls-intercepted';

/** Something a link fault did on this connection (see `LinkFault`). */
export interface WireFaultEvent {
  /** ms since the epoch. */
  at: number;
  /** The fault's name, e.g. `strip-starttls`. */
  fault: string;
  /** The direction of the unit it acted on. */
  dir: WireDirection;
  /** What it did, e.g. `replace`, `answer`, `drop`, `close:reset`. */
  action: string;
  /** The line or reply it acted on (first 200 chars), when in the plaintext phase. */
  detail?: string;
  /** The fault's own account, e.g. `removed 250 STARTTLS from the EHLO reply` (first 200 chars). */
  note?: string;
  /** What the action did to the link's security, when it did something to it. */
  effect?: FaultEffect;
}

/**
 * One TCP connection through a link proxy, as seen between the client and the proxy.
 * With faults active this is what the client sent and received; what the faults changed is in `faults`.
 */
export interface WireRecord {
  /** `<link>#<seq>`, e.g. `gateway->mailbox#2`. */
  id: string;
  /** The link's name, e.g. `gateway->mailbox`. */
  link: string;
  /** 1-based connection number on this link. */
  seq: number;
  /** The client's port: equals the sender's `socket.localPort`. */
  clientPort: number;
  /**
   * The proxy's own port towards the link's target, once connected: equals the receiver's view of
   * the client's port (`AcceptedEvent.remotePort`), which ties a connection whose content crossed
   * inside TLS to the message the receiver accepted on it.
   */
  upstreamPort?: number;
  /** When the client connected, ms since the epoch. */
  openedAt: number;
  /** When the first side closed (FIN, reset or error), ms since the epoch; absent while open. */
  closedAt?: number;
  /** Who closed first; `proxy` when the proxy closed it (`stop()`, or a fault). */
  closedBy?: 'client' | 'server' | 'proxy';
  /** The socket error that closed the connection, if any. */
  closeError?: WireError;
  /** The proxy could not reach the link's target; the client was disconnected. */
  upstreamError?: WireError;
  /** The server's first reply (usually 220; 554 when it refuses service). */
  greeting?: SmtpReply;
  /** Capabilities from the last plaintext EHLO reply (lines after the first), e.g. `['PIPELINING', 'STARTTLS']`. */
  ehlo: string[];
  /** A plaintext EHLO reply listed `STARTTLS` (RFC 3207 §2). */
  starttlsAdvertised: boolean;
  /** The client sent `STARTTLS`. */
  starttlsSent: boolean;
  /** The reply to `STARTTLS` (220, 454, 501, 5xx...). */
  starttlsReply?: SmtpReply;
  /** The client's first bytes were a ClientHello, before any server byte (RFC 8314 §3). */
  implicitTls: boolean;
  handshake: HandshakeState;
  /** Why the handshake failed, e.g. `alert handshake_failure`, `non-TLS bytes from server`, `closed by server`. */
  handshakeFailure?: string;
  /** From the ServerHello; present once one was seen, even if the handshake then failed. */
  tls?: WireTls;
  /**
   * The ClientHello offered an earlier session to resume (a PSK, TLS 1.3; a SessionTicket, TLS 1.2; RFC 8446 §2.2,
   * RFC 5077 §3.2); absent when it offered none.
   */
  resumptionOffered?: true;
  /**
   * The server resumed an earlier session (an abbreviated handshake: no certificate crossed, so the session's
   * certificate facts are those of the session it resumed); absent after a full handshake. How it is told: tls-phase.ts.
   */
  resumed?: true;
  /** The first plaintext alert of the handshake. */
  alert?: WireAlert;
  /** Plaintext commands in order (at most 200). */
  commands: SmtpCommand[];
  /** Plaintext reply lines in order, e.g. `250-PIPELINING` (at most 200, 1 KiB each). */
  replies: string[];
  /** Message content crossed in plaintext: DATA content after a 354, or a BDAT chunk (RFC 3030). */
  plaintextData: boolean;
  /** Values of `X-Mailhop-Id:` lines in plaintext content, in order, without repeats (a bounce quoting a message counts). */
  plaintextMessageIds: string[];
  /**
   * SMTP AUTH credentials that crossed outside TLS (sasl-in-clear.ts): a PLAIN response, LOGIN's lines, a bearer
   * token, on the AUTH line or after a 334. Absent when none did.
   */
  credentialsInClear?: CredentialsInClear[];
  /** Plaintext content bytes, as on the wire (dot-stuffed, including the final `.` CRLF). */
  plaintextDataBytes: number;
  /** Bytes received from each side. */
  bytes: { fromClient: number; fromServer: number };
  /** Plaintext lines plus `[TLS handshake: ...]` and `[plaintext message: ...]` summaries (at most 200 lines). */
  transcript: TranscriptEntry[];
  /** Lines, commands and replies not kept because a cap was reached. */
  dropped: number;
  /** What faults did on this connection, in order; empty without faults. */
  faults: WireFaultEvent[];
}
