/**
 * Stable error codes (nodemailer-style): callers switch on `code`, people read `message`.
 * - `ESCENARIO`: a scenario file is malformed or contradicts itself (exit code 2).
 * - `ECHAIN`: the chain could not start or was used after stop.
 * - `ESMTP`: an SMTP exchange failed (carries hop, command and reply).
 * - `ETLS`: a TLS handshake or certificate check failed.
 * - `ETIMEOUT`: no reply within the client's timeout.
 * - `ESOCKET`: the connection failed or closed unexpectedly.
 * - `EUSAGE`: a command-line option or a file given to a command (e.g. a run record to merge) is malformed (exit code 2).
 */
export type MailhopErrorCode = 'ESCENARIO' | 'ECHAIN' | 'ESMTP' | 'ETLS' | 'ETIMEOUT' | 'ESOCKET' | 'EUSAGE';

/** Where in an SMTP dialogue an error happened. */
export interface SmtpContext {
  /** Hop id from the scenario (or `client` for the injecting client). */
  hop?: string;
  /** The SMTP command that was answered, e.g. `STARTTLS` or `MAIL FROM:<a@b.test>`. */
  command?: string;
  /** The full reply text, e.g. `454 4.7.0 TLS not available due to temporary reason`. */
  reply?: string;
}

/** The one error class of mailhop. */
export class MailhopError extends Error {
  readonly code: MailhopErrorCode;
  readonly hop?: string;
  readonly command?: string;
  readonly reply?: string;

  constructor(code: MailhopErrorCode, message: string, context: SmtpContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailhopError';
    this.code = code;
    this.hop = context.hop;
    this.command = context.command;
    this.reply = context.reply;
  }
}
