/**
 * What a mock hop lets an SMTP peer make it hold: bytes of a message, header fields, recipients,
 * and time. Every value here is something a hostile or broken client controls; without a bound, one
 * client can grow the process without end (a 4.4 GB DATA once grew `mailhop up` to 4.56 GB) or keep
 * sockets open forever by trickling a byte now and then.
 */
import { MailhopError } from '../errors.js';

/** The limits of one hop's SMTP server. Sizes in bytes, times in milliseconds of real time. */
export interface HopLimits {
  /**
   * Largest message content accepted (DATA after dot-unstuffing, without the hop's own Received
   * header), bytes. Advertised as `SIZE` (RFC 1870); a larger message is read to its end without
   * being kept and answered `552 5.3.4` (RFC 5321 §4.5.3.1.10, RFC 3463 X.3.4). Default 10 MiB.
   */
  maxMessageBytes: number;
  /**
   * Largest header section, bytes: everything before the first empty line (the whole message when
   * it has none). Over it: `554 5.6.0` (see message-intake.ts for why not 552). Default 1 MiB, as
   * Exim's `header_maxsize`.
   */
  maxHeaderBytes: number;
  /** Most header fields (lines of the header section not starting with SP or HT). Over it: `554 5.6.0`. Default 1,000. */
  maxHeaderFields: number;
  /**
   * Most recipients of one transaction. RFC 5321 §4.5.3.1.8 requires at least 100; beyond the limit
   * RCPT gets `452 4.5.3 Error: too many recipients`, as Postfix answers past its
   * `smtpd_recipient_limit` (default 1,000, the default here), and the transaction goes on with the
   * recipients accepted so far. Must be at least 100.
   */
  maxRecipients: number;
  /**
   * How long the server waits for the client's next bytes: for a command, and within DATA content.
   * RFC 5321 §4.5.3.2.7 asks a server to wait at least 5 minutes for the next command (the default).
   * Then `421 4.4.2 Timeout - closing connection`. A byte resets it, so it alone cannot end a client
   * that trickles; {@link HopLimits.sessionLifetimeMs} does.
   */
  idleTimeoutMs: number;
  /**
   * Longest life of one session, from when its greeting is due (after the hop's `greetingDelay`) to its
   * close, whatever the client does; then `421 4.4.2 <host> Error: session time limit exceeded` and the
   * connection is closed (a message whose DATA was still arriving is not accepted). Default 10 minutes:
   * twice the idle timeout, far beyond any real session on loopback.
   */
  sessionLifetimeMs: number;
}

/** The defaults of {@link HopLimits}. */
export const DEFAULT_HOP_LIMITS: Readonly<HopLimits> = Object.freeze({
  maxMessageBytes: 10 * 1024 * 1024,
  maxHeaderBytes: 1024 * 1024,
  maxHeaderFields: 1000,
  maxRecipients: 1000,
  idleTimeoutMs: 5 * 60_000,
  sessionLifetimeMs: 10 * 60_000,
});

/** RFC 5321 §4.5.3.1.8: a server must accept at least this many recipients per transaction. */
export const MIN_RECIPIENTS = 100;

/**
 * The defaults with `overrides` applied.
 * @throws MailhopError `EUSAGE` naming the key when a value is not a positive integer, or `maxRecipients` is below 100.
 * @example hopLimits({ maxMessageBytes: 64 * 1024 }) // 64 KiB messages, every other limit as default
 */
export function hopLimits(overrides: Partial<HopLimits> = {}): Readonly<HopLimits> {
  const limits = { ...DEFAULT_HOP_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw MailhopError.of('EUSAGE', { where: `hop limit ${key}`, what: `be ${String(value)}`, why: 'it must be a positive integer' });
    }
  }
  if (limits.maxRecipients < MIN_RECIPIENTS) {
    const why = `a server must accept at least ${MIN_RECIPIENTS} recipients per transaction (RFC 5321 §4.5.3.1.8)`;
    throw MailhopError.of('EUSAGE', { where: 'hop limit maxRecipients', what: `be ${limits.maxRecipients}`, why });
  }
  return Object.freeze(limits);
}
