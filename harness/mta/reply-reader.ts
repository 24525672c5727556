/**
 * The reply side of mailhop's SMTP client (smtp-client.ts): splits what the server sends into reply
 * lines and reads them as replies (RFC 5321 §4.2), within bounds a hostile server cannot stretch. Every
 * bound ends the session with an `ESMTP` error naming it; nothing the server sends grows memory past
 * {@link MAX_UNREAD} octets, and no reply outlives the client's timeout.
 */
import { MailhopError, type MailhopErrorCode } from '../errors.js';
import { enhancedCode, parseReplyLine } from '../link/smtp-syntax.js';
import { REAL_WAITS, waited, type ConnectionWaits } from './connection-waits.js';


/** One line of a session transcript: `C` for what the client sent, `S` for what it received, `*` for what happened (TLS started). */
export interface TranscriptLine {
  dir: 'C' | 'S' | '*';
  text: string;
}

/** One SMTP reply (RFC 5321 §4.2), possibly multiline. */
export interface SmtpReply {
  /** Three-digit reply code. */
  code: number;
  /** Enhanced status code (RFC 3463) from the last line, e.g. `4.7.0`, when present. */
  enhanced?: string;
  /** The text of each line without the code and separator. */
  lines: string[];
  /** The whole reply as it would be quoted in a log: `454 4.7.0 TLS not available`. */
  text: string;
  /**
   * Set when some of its lines arrived in clear before the TLS handshake and were kept ({@link ReplyReader.keepAsPreTls}):
   * a reply read inside TLS that no TLS protected (RFC 3207 §4.2; the CVE-2011-0411 class of response injection).
   */
  preTls?: true;
}

/**
 * Longest reply line accepted: 4096 octets, without its CRLF. RFC 5321 §4.5.3.1.5 caps a reply line at
 * 512 octets with the code and CRLF, but real servers go past it (long EHLO keyword lines, verbose
 * rejections) and §4.5.3.1 asks receivers to be tolerant, so mailhop takes eight times that, as the
 * link proxy's splitter does (link/smtp-splitter.ts). A longer line is a protocol error that ends the
 * session: it is neither kept whole (a 1 MB "line" is memory the server chose) nor cut into pieces
 * that would read as further reply lines.
 */
export const MAX_REPLY_LINE = 4096;

/**
 * Most lines in one multiline reply: 100. RFC 5321 §4.2.1 sets no number; the longest reply a client
 * reads is the EHLO reply, one line per extension (real servers list under 20). A `250-` that never
 * ends fails at line 101 instead of filling memory and the transcript until the reply timeout.
 */
export const MAX_REPLY_LINES = 100;

/**
 * Octets received and not read yet, at most: one reply of {@link MAX_REPLY_LINES} lines of
 * {@link MAX_REPLY_LINE}. Without `pipelining` an honest server has at most one reply outstanding; with it, one
 * group of MAIL, RCPT and DATA replies (single short lines). More is a server answering commands nobody sent.
 */
export const MAX_UNREAD = MAX_REPLY_LINES * (MAX_REPLY_LINE + 2);

/** RFC 5321 §4.2.1: a reply code's first digit is 2 to 5 and its second 0 to 5 (`[2-5][0-5][0-9]`). */
function isReplyCode(code: number): boolean {
  return code >= 200 && code < 600 && Math.floor(code / 10) % 10 <= 5;
}

const protocolError = (why: string, command?: string, reply?: string) => new MailhopError('ESMTP', why, { command, reply });

/**
 * Why the connection ended for reading: what a read that meets it throws, as a MailhopError with the command
 * it waited for. A plain value, because every session ends in one (the server's FIN after its 221, a reset
 * after QUIT) and most are never read: an Error would capture a stack each time. A MailhopError is one too.
 */
export interface ConnectionEnd {
  code: MailhopErrorCode;
  /** e.g. `connection closed by peer`. */
  message: string;
  /** The socket's own error, when it failed. */
  cause?: unknown;
}

/**
 * Reply lines of one connection. Feed it every byte received ({@link push}) and the end of the
 * connection ({@link end}); {@link read} returns one reply at a time, in order. Lines are UTF-8 (RFC 6531
 * replies may be), a bare LF ends a line as CRLF does.
 */
export class ReplyReader {
  /** Complete lines not read yet (with the octets they took, line end included), and where an error stands among them. */
  private readonly queue: Array<{ line: string; octets: number; preTls?: true } | ConnectionEnd> = [];
  private unread = 0;
  /** The start of a line whose end has not arrived. */
  private partial: Buffer = Buffer.alloc(0);
  /** `partial` began before the TLS handshake ({@link keepAsPreTls}): the line it ends is marked so. */
  private partialPreTls = false;
  /** Set once a bound was passed: later bytes are dropped (the session is over). */
  private dropping = false;
  /** The error every later read throws: the connection ended, or a protocol error was read. */
  private failure: MailhopError | null = null;
  /** The error waiting at the end of the queue (the connection ended, or a bound was passed). */
  private queuedEnd: ConnectionEnd | null = null;
  private waiter: (() => void) | null = null;

  constructor(
    /** Limit for one whole reply, ms: real time, unless `waits` moved to the virtual clock (connection-waits.ts). */
    private readonly timeoutMs: number,
    /** Every line read is appended (`S`). */
    private readonly transcript: TranscriptLine[],
    /** How the limit elapses; default real time. */
    private readonly waits: ConnectionWaits = REAL_WAITS,
  ) {}

  /** Why the connection is over for reading (closed, failed, or a bound passed), if it is; lines before it may still be read. */
  get ended(): ConnectionEnd | null {
    return this.failure ?? this.queuedEnd;
  }

  /** Bytes as they arrive from the server. */
  push(chunk: Buffer): void {
    if (this.dropping || this.failure) return;
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    let from = 0;
    for (let lf = data.indexOf(0x0a); lf >= 0; lf = data.indexOf(0x0a, from)) {
      const end = lf > from && data[lf - 1] === 0x0d ? lf - 1 : lf;
      if (end - from > MAX_REPLY_LINE) return this.stop(this.tooLong());
      this.queue.push({ line: data.toString('utf8', from, end), octets: lf + 1 - from, ...(this.partialPreTls ? { preTls: true as const } : {}) });
      this.partialPreTls = false;
      this.unread += lf + 1 - from;
      from = lf + 1;
    }
    // A CR may still come before the LF; anything longer is too long already.
    if (data.length - from > MAX_REPLY_LINE + 1) return this.stop(this.tooLong());
    this.partial = Buffer.from(data.subarray(from));
    // A flood, not a reply: the next read fails, whatever is queued.
    if (this.unread > MAX_UNREAD) return void this.fail(protocolError(`more than ${MAX_UNREAD} octets of replies unread (a client that does not pipeline awaits one reply at a time)`));
    this.wake();
  }

  /** The connection closed or failed: once the lines already received are read, reads throw a MailhopError with `err`'s code and message. */
  end(err: ConnectionEnd): void {
    if (!this.dropping) {
      this.queue.push(err);
      this.queuedEnd = err;
    }
    this.dropping = true;
    this.wake();
  }

  /**
   * Octets received and not yet read: complete lines still queued plus a line not yet ended. After the 220 to
   * STARTTLS this is what the server sent before the handshake (RFC 3207 §4.2: a client must not act on it).
   */
  get buffered(): number {
    return this.unread + this.partial.length;
  }

  /**
   * Forgets everything received and not read, protocol errors included (RFC 3207 §4.2: bytes after the
   * 220 to STARTTLS are discarded, the CVE-2011-0411 class of response injection), and reads afresh.
   */
  discard(): void {
    this.queue.length = 0;
    this.unread = 0;
    this.partial = Buffer.alloc(0);
    this.partialPreTls = false;
    this.dropping = false;
    this.failure = null;
    this.queuedEnd = null;
  }

  /**
   * Keeps everything received and not read, marked as having arrived before the TLS handshake: the next reads return
   * it as replies inside TLS, each with `preTls` set. The vulnerable behaviour RFC 3207 §4.2 forbids (`discard` is the
   * honest one), for a client that models the bug (`starttlsTrailingData: keep`); the mark lets the session record it.
   */
  keepAsPreTls(): void {
    for (const entry of this.queue) if ('line' in entry) entry.preTls = true;
    this.partialPreTls = this.partial.length > 0;
  }

  /**
   * Reads one (possibly multiline) reply to `command`, all of it within the timeout.
   * @throws MailhopError `ESMTP` for a line that is no reply line, a multiline reply whose code changes
   *   (RFC 5321 §4.2.1) or that passes {@link MAX_REPLY_LINES}, a line over {@link MAX_REPLY_LINE} octets
   *   or more than {@link MAX_UNREAD} unread; `ETIMEOUT` when the reply is not complete within timeoutMs;
   *   the connection's own error (`ESOCKET`, `ETLS`) when it ended first. After any of them every read throws.
   */
  async read(command = 'greeting'): Promise<SmtpReply> {
    const timer = { expired: false };
    const cancel = this.waits.start(this.timeoutMs, () => {
      timer.expired = true;
      this.wake();
    });
    try {
      const lines: string[] = [];
      let code: number | undefined;
      let preTls = false;
      for (;;) {
        const entry = await this.nextLine(timer, command, lines.length > 0);
        const raw = entry.line;
        preTls ||= entry.preTls === true;
        this.transcript.push({ dir: 'S', text: raw });
        const line = parseReplyLine(raw);
        if (!line || !isReplyCode(line.code)) throw this.fail(protocolError(`malformed reply to ${command}: ${JSON.stringify(raw.slice(0, 80))}`, command, raw));
        if (code !== undefined && line.code !== code) throw this.fail(protocolError(`multiline reply to ${command} changes its code from ${code} to ${line.code} (RFC 5321 §4.2.1)`, command));
        code = line.code;
        lines.push(line.text);
        if (line.last) return { code, enhanced: enhancedCode(line.text), lines, text: `${code} ${line.text}`.trimEnd(), ...(preTls ? { preTls: true as const } : {}) };
        if (lines.length >= MAX_REPLY_LINES) throw this.fail(protocolError(`reply to ${command} goes on past ${MAX_REPLY_LINES} lines`, command));
      }
    } finally {
      cancel();
    }
  }

  private async nextLine(timer: { readonly expired: boolean }, command: string, midReply: boolean): Promise<{ line: string; preTls?: true }> {
    for (;;) {
      if (this.failure) throw this.failure;
      const entry = this.queue.shift();
      if (entry && 'line' in entry) {
        this.unread -= entry.octets;
        return entry;
      }
      if (entry) {
        throw this.fail(new MailhopError(entry.code, `${entry.message} (waiting for the reply to ${command})`, { command }, { cause: entry.cause }));
      }
      if (timer.expired) {
        const what = midReply ? `reply to ${command} not complete` : `no reply to ${command}`;
        throw this.fail(new MailhopError('ETIMEOUT', `${what} within ${waited(this.timeoutMs, this.waits)}`, { command }));
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private tooLong(): MailhopError {
    return protocolError(`reply line longer than ${MAX_REPLY_LINE} octets (RFC 5321 §4.5.3.1.5: 512)`);
  }

  /** A bound passed while receiving: the error takes its place after the lines before it. */
  private stop(err: MailhopError): void {
    this.queue.push(err);
    this.queuedEnd = err;
    this.dropping = true;
    this.partial = Buffer.alloc(0);
    this.wake();
  }

  /** Every later read throws `err`; what is still queued is dropped. */
  private fail(err: MailhopError): MailhopError {
    this.failure = err;
    this.queue.length = 0;
    this.unread = 0;
    this.dropping = true;
    this.wake();
    return err;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
