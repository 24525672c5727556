/**
 * The seam for deceitful links: a fault sits in the link proxy, between two honest hops, and may
 * rewrite, drop or answer what crosses (docs/behaviour.md#attacks, the attacker catalogue). One small file per
 * fault, each implementing {@link LinkFault}. Without faults the proxy passes bytes through
 * untouched and never parses for forwarding.
 *
 * What a fault sees:
 * - plaintext commands from the client, one line at a time ({@link LinkFaultSession.command});
 * - plaintext replies from the server, one complete reply at a time, all lines of a multiline
 *   reply together (RFC 5321 §4.2), so a strip can keep the `250-`/`250 ` shape valid (A-strip);
 * - TLS-phase chunks in both directions ({@link LinkFaultSession.tls}), after a 220 to STARTTLS
 *   has been delivered to the client, or from byte 0 when the client starts with a ClientHello.
 *
 * DATA/BDAT content and lines over 4 KiB pass through untouched. Hooks may be async (a delay
 * fault awaits a timer); each direction is handled in order, and its source is paused meanwhile.
 * The wire record describes the client's side of the link; every verdict a fault returns is
 * recorded in `WireRecord.faults`.
 *
 * @example A-strip, STARTTLS strip (sketch; a real one also rewrites a final `250 STARTTLS`)
 * const stripStarttls: LinkFault = {
 *   name: 'strip-starttls',
 *   open: () => ({
 *     reply: (lines, answering) =>
 *       answering?.toUpperCase().startsWith('EHLO') ? { forward: lines.filter((l) => !/^250-STARTTLS$/i.test(l)) } : undefined,
 *   }),
 * };
 */
import type { FaultEffect, WireDirection } from './wire-record.js';

/**
 * Writing on a fault's own time, for faults that produce bytes outside the hooks' answers (an
 * interceptor's TLS records come out of its TLS engine asynchronously, docs/behaviour.md#A-intercept). Bytes
 * written here are not followed as SMTP by the pipeline: meant for the TLS phase.
 */
export interface LinkFaultIo {
  /** Sends bytes to the client (the wire witness sees them). */
  toClient(bytes: Buffer): void;
  /** Sends bytes to the server. */
  toServer(bytes: Buffer): void;
  /** Closes both sides: `end` sends FIN, `reset` sends RST. */
  close(how: 'end' | 'reset'): void;
  /** Adds an event to the wire record's `faults`, under this fault's name. */
  record(event: { dir: WireDirection; action: string; detail?: string; note?: string; effect?: FaultEffect }): void;
}

/** The connection a fault session acts on. */
export interface LinkFaultContext {
  /** The link's name, e.g. `gateway->mailbox`. */
  readonly link: string;
  /** `<link>#<seq>`, as in the wire record. */
  readonly connectionId: string;
  /** 1-based connection number on this link: lets a fault act on the first try only, or on the retry (A-kill-handshake). */
  readonly seq: number;
  /** The client's port (`WireRecord.clientPort`): a chain maps it to the message and delivery attempt the connection carries. */
  readonly clientPort: number;
  /** This fault's own channel to both sides and to the record. */
  readonly io: LinkFaultIo;
}

/** What every verdict may add to its wire record event. */
interface VerdictNotes {
  /** The fault's own account of what it did, recorded as the event's `note`. */
  note?: string;
  /** What the action did to the link's security (see {@link FaultEffect}). */
  effect?: FaultEffect;
  /** Not recorded in the wire record (a fault that records what matters once, or itself through `io.record`). */
  silent?: boolean;
}

/** What to do with a plaintext unit; return `undefined` to let it pass unchanged. */
export interface LineVerdict extends VerdictNotes {
  /** Lines to send on instead, without CRLF; `[]` sends nothing (drop). Absent: the original bytes. */
  forward?: readonly string[];
  /** Lines to send back to the side that sent the unit, without CRLF, e.g. `['454 4.7.0 TLS not available']`. */
  answer?: readonly string[];
  /** After writing, close both sides: `end` sends FIN, `reset` sends RST. */
  close?: 'end' | 'reset';
}

/** What to do with a TLS-phase chunk; return `undefined` to let it pass unchanged. */
export interface TlsVerdict extends VerdictNotes {
  /** Bytes to send on instead; an empty buffer sends nothing (drop, e.g. a stall, A-stall). */
  forward?: Buffer;
  /** Bytes to send back to the side that sent the chunk, e.g. a TLS alert or plaintext garbage (A-kill-handshake). */
  answer?: Buffer;
  /** After writing, close both sides: `end` sends FIN, `reset` sends RST. */
  close?: 'end' | 'reset';
}

/** Facts about a TLS-phase chunk. */
export interface TlsChunkInfo {
  /** The first TLS-phase chunk in this direction. */
  first: boolean;
  /** The chunk starts like a ClientHello (record type 22, handshake type 1). */
  clientHello: boolean;
  /** When the chunk came off the socket (ms since the epoch), before any fault held earlier ones. */
  receivedAt: number;
}

/** Facts about a plaintext reply. */
export interface ReplyInfo {
  /**
   * When the reply's last line came off the socket (ms since the epoch). Pipelined replies
   * (RFC 2920) arrive together; a fault that adds latency holds each from here, not from when
   * the previous one was released.
   */
  receivedAt: number;
}

type Maybe<T> = T | undefined | void;
type MaybeAsync<T> = Maybe<T> | Promise<Maybe<T>>;

/** A fault's state for one connection; every hook is optional. */
export interface LinkFaultSession {
  /**
   * A plaintext line from the client: a command, or a SASL response after a 334 (RFC 4954 §4).
   * @param line the line without CRLF, e.g. `STARTTLS`
   */
  command?(line: string): MaybeAsync<LineVerdict>;
  /**
   * A complete plaintext reply from the server, including the greeting.
   * @param lines every line with its code, e.g. `['250-mx.test', '250-STARTTLS', '250 SMTPUTF8']`
   * @param answering the command line this reply answers as the server received it (after any
   *   rewrite), `(message)` after end-of-data, `undefined` for the greeting
   * @param info when the reply arrived
   */
  reply?(lines: readonly string[], answering: string | undefined, info: ReplyInfo): MaybeAsync<LineVerdict>;
  /** A chunk of the TLS phase; `dir` is the side that sent it. */
  tls?(dir: WireDirection, chunk: Buffer, info: TlsChunkInfo): MaybeAsync<TlsVerdict>;
  /**
   * A side sent FIN; it is passed on to the other side once this resolves (an interceptor flushes
   * what its TLS engines still hold first). Not called after a fault closed the connection.
   */
  end?(side: 'client' | 'server'): MaybeAsync<void>;
}

/**
 * A kind of fault; `open` is called once per connection. State shared between connections (a fault
 * remembering which message's handshake it broke, to strip the retry) belongs to one fault object,
 * made for one link of one chain, and is keyed by what the connection carries.
 */
export interface LinkFault {
  /** Kebab-case name, as in scenario files and wire records, e.g. `downgrade-454`. */
  readonly name: string;
  open(context: LinkFaultContext): LinkFaultSession;
}
