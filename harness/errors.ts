/**
 * mailhop's one error class and its code table, in the manner of nodemailer's `ERROR_CODES`: callers
 * switch on `code`, people read `message`, the CLI takes its exit code from the table and `chainTest`
 * its skips. Messages follow one template (see {@link errorMessage}):
 *
 *     <where>: cannot <what>: <why>. <hint>
 *
 * e.g. `link client->mx: cannot listen on 127.0.0.1:2525: the port is in use (EADDRINUSE). Give another port, or 0 for any free one.`
 * Scenario problems (`ESCENARIO`) keep their own one-line-per-problem form, `file:line:column: path: message`.
 */

/** What one code means, the exit code of a command it ends, and whether a test it stops is skipped rather than failed. */
export interface ErrorCodeEntry {
  /** The failure class, in a few words (what the README's error table says). */
  readonly means: string;
  /** Exit code of a `mailhop` command that this error ends: 2 bad input or a machine that lacks something, 70 a bug (sysexits' EX_SOFTWARE). */
  readonly exit: number;
  /** True when the error says "this machine cannot run it" (a missing runtime or real MTA): `chainTest` skips with the message as reason. */
  readonly skip: boolean;
}

/** Every code mailhop throws, and what follows from it. */
export const ERROR_CODES = {
  EUSAGE: { means: 'a command-line option, an API argument, or a file given to a command (a run record) is malformed', exit: 2, skip: false },
  ESCENARIO: { means: 'a scenario file is malformed or contradicts itself', exit: 2, skip: false },
  ELOOPBACK: { means: 'an address off loopback (127.0.0.0/8) was asked for: mailhop listens and relays on loopback only', exit: 2, skip: false },
  EBIND: { means: 'an address cannot be listened on (the port is in use, or binding it is not allowed)', exit: 2, skip: false },
  ENORUNTIME: { means: 'the container runtime is not available here (no testcontainers package, or no container engine answers)', exit: 2, skip: true },
  ENOENGINE: { means: 'a real MTA a hop needs is not installed here, or not completely', exit: 2, skip: true },
  ESTART: { means: 'something installed did not start: a real MTA, a container', exit: 2, skip: false },
  EINTERNAL: { means: 'an invariant of mailhop broke: a bug in mailhop', exit: 70, skip: false },
  ESMTP: { means: 'an SMTP exchange failed (carries hop, command and reply)', exit: 1, skip: false },
  ETLS: { means: 'a TLS handshake or certificate check failed', exit: 1, skip: false },
  ETIMEOUT: { means: 'no reply within the SMTP client\'s timeout', exit: 1, skip: false },
  ESOCKET: { means: 'the connection failed or closed unexpectedly', exit: 1, skip: false },
} as const satisfies Record<string, ErrorCodeEntry>;

/** A code of {@link ERROR_CODES}. */
export type MailhopErrorCode = keyof typeof ERROR_CODES;

/** Where an error happened: in the chain (hop, link) and in an SMTP dialogue (command, reply). */
export interface ErrorContext {
  /** Hop id from the scenario (or `client` for the injecting client). */
  hop?: string;
  /** Link name from the scenario, `<sender>-><receiver>`, e.g. `client->mx`. Never put in `hop`. */
  link?: string;
  /** The SMTP command that was answered, e.g. `STARTTLS` or `MAIL FROM:<a@b.test>`. */
  command?: string;
  /** The full reply text, e.g. `454 4.7.0 TLS not available due to temporary reason`. */
  reply?: string;
}

/** The parts of the message template `<where>: cannot <what>: <why>. <hint>`. */
export interface ErrorParts {
  /** Who failed, as a user finds it: `hop relay`, `link client->mx`, `--web 0.0.0.0:80`, `runs/a.json`. */
  where: string;
  /** What could not be done, after "cannot": `listen on 127.0.0.1:2525`. */
  what: string;
  /** Why, as observed: `the port is in use (EADDRINUSE)`; a trailing period is dropped (the template adds one). */
  why: string;
  /** What to do about it, one or more whole sentences: `Run "mailhop install-mtas" as root.` */
  hint?: string;
  /** Lines after the sentence (e.g. a program's last output), indented by the caller. */
  detail?: string;
}

/**
 * The one message template.
 * @example errorMessage({ where: 'hop relay', what: 'listen on 127.0.0.1:25', why: 'not allowed to bind it (EACCES)' })
 * // 'hop relay: cannot listen on 127.0.0.1:25: not allowed to bind it (EACCES).'
 */
export function errorMessage(parts: ErrorParts): string {
  const why = parts.why.trim().replace(/\.+$/, '');
  return `${parts.where}: cannot ${parts.what}: ${why}.${parts.hint ? ` ${parts.hint}` : ''}${parts.detail ? `\n${parts.detail}` : ''}`;
}

/** The one error class of mailhop. */
export class MailhopError extends Error {
  readonly code: MailhopErrorCode;
  readonly hop?: string;
  readonly link?: string;
  readonly command?: string;
  readonly reply?: string;

  /** Prefer {@link MailhopError.of}, which writes the message from the template. */
  constructor(code: MailhopErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailhopError';
    this.code = code;
    if (context.hop !== undefined) this.hop = context.hop;
    if (context.link !== undefined) this.link = context.link;
    if (context.command !== undefined) this.command = context.command;
    if (context.reply !== undefined) this.reply = context.reply;
  }

  /**
   * An error whose message follows the template.
   * @example throw MailhopError.of('EBIND', { where: `link ${name}`, what: `listen on ${host}:${port}`, why, link: name, cause });
   */
  static of(code: MailhopErrorCode, parts: ErrorParts & ErrorContext & { cause?: unknown }): MailhopError {
    const { hop, link, command, reply, cause } = parts;
    return new MailhopError(code, errorMessage(parts), { hop, link, command, reply }, cause === undefined ? undefined : { cause });
  }
}

/** The exit code a `mailhop` command ends with when `err` stops it (the code table's `exit`). */
export function exitCodeOf(err: MailhopError): number {
  return ERROR_CODES[err.code].exit;
}

/** The reason to skip a test `err` stopped, when it says this machine cannot run it (`ENORUNTIME`, `ENOENGINE`); else undefined. */
export function skipReasonOf(err: unknown): string | undefined {
  return err instanceof MailhopError && ERROR_CODES[err.code].skip ? err.message : undefined;
}

/** How a failed `listen()` reads in a message: `the port is in use (EADDRINUSE)`, `not allowed to bind it (EACCES)`, else the error's code or text. */
export function listenFailure(err: NodeJS.ErrnoException): string {
  if (err.code === 'EADDRINUSE') return 'the port is in use (EADDRINUSE)';
  if (err.code === 'EACCES') return 'not allowed to bind it (EACCES)';
  return err.code ?? err.message;
}
