/**
 * One SMTP dialogue as one side of a connection has it: both directions' bytes in, typed steps out
 * (greeting, command, reply, content, tls-start). It pairs pipelined commands with their replies
 * (RFC 2920), lets a 334 carry an AUTH exchange on (RFC 4954 §4), reads message content after a 354
 * up to the `.` line (RFC 5321 §4.1.1.4) and BDAT chunks by their size once the server advertised
 * CHUNKING (RFC 3030 §2; a server without it reads what follows BDAT as commands), and turns to
 * raw TLS bytes after a 220 to STARTTLS (RFC 3207 §4) or at a ClientHello where a command should be
 * (implicit TLS, RFC 8314 §3). Whatever watches or rewrites a dialogue (the wire witness, the fault
 * pipeline, the inbound fronts) reads it through this one module.
 *
 * Pull-based on purpose: what the server says changes how the client's next bytes read, so each
 * step is taken when its owner is ready for it, and a reply taken meanwhile applies at once.
 */
import { CommandQueue } from './command-queue.js';
import { ReplySplitter, type ReplyToken, type ServerReply } from './reply-splitter.js';
import { SmtpSplitter } from './smtp-splitter.js';
import { advertises, splitCommand } from './smtp-syntax.js';

/** What the client sent, in wire order. Byte slices share memory with the pushed chunks. */
export type ClientStep =
  /** A command line (at most the splitter's limit, 4 KiB); `raw` includes its line end. Counted as awaiting its reply. */
  | { kind: 'command'; text: string; verb: string; raw: Buffer }
  /** The line after a 334: a SASL response (RFC 4954 §4), not a command. */
  | { kind: 'sasl'; text: string; raw: Buffer }
  /**
   * A piece of a line over 4 KiB, passed on as it comes. On the last piece (`end`): `text`, the line's
   * first KiB and `…`, and `sasl` when it was a SASL response rather than a command.
   */
  | { kind: 'long'; bytes: Buffer; first: boolean; end: boolean; text?: string; sasl?: boolean }
  /**
   * Message content: after a 354 up to and including the `.` CRLF line (`transfer: 'data'`), or one
   * BDAT chunk (`'bdat'`). `end` on its last piece; `last` unless more BDAT chunks of the message follow.
   */
  | { kind: 'content'; bytes: Buffer; end: boolean; transfer: 'data' | 'bdat'; last: boolean }
  /** The client opened TLS without a 220 to STARTTLS: before the server said anything (`implicit`), or after. */
  | TlsStart<'implicit' | 'unannounced'>
  /** Bytes after TLS started. */
  | { kind: 'tls'; bytes: Buffer };

/** What the server sent, in wire order. */
export type ServerStep =
  /** Every line as it comes (a reply's lines before the reply itself); `reply` when it is a reply line. */
  | Extract<ReplyToken, { kind: 'line' | 'long' }>
  /** The first reply of the session (RFC 5321 §4.3.1). */
  | { kind: 'greeting'; reply: ServerReply }
  /** A whole reply, and the command line it answers (`(message)` after the end of data; `undefined` if none waited). */
  | { kind: 'reply'; reply: ServerReply; answering: string | undefined }
  /** The 220 just read answered STARTTLS: both directions are TLS from here on. */
  | TlsStart<'starttls'>
  | { kind: 'tls'; bytes: Buffer };

/** Both directions are TLS from here on. */
export interface TlsStart<How extends string> {
  kind: 'tls-start';
  how: How;
}

/** Options of {@link SmtpDialogue}. */
export interface SmtpDialogueOptions {
  /** Read a TLS handshake record where a client line should start as TLS without STARTTLS (RFC 8314 §3). Default false. */
  implicitTls?: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * Push each direction's bytes in the order they crossed, and take steps with `nextClient()` and
 * `nextServer()` until they return `undefined`. Holds at most one short line per direction and one
 * reply of at most 100 kept lines, whatever arrives.
 * @example
 * const d = new SmtpDialogue();
 * d.pushServer(Buffer.from('220 mx.test ESMTP\r\n'));
 * d.nextServer(); // the line, then:
 * d.nextServer(); // { kind: 'greeting', reply: { code: 220, lines: ['220 mx.test ESMTP'] } }
 */
export class SmtpDialogue {
  readonly #client: SmtpSplitter;
  readonly #server = new ReplySplitter();
  readonly #queue = new CommandQueue();
  /** Steps made up between tokens (a tls-start, an empty BDAT chunk), taken before the next token. */
  readonly #clientSteps: ClientStep[] = [];
  readonly #serverSteps: ServerStep[] = [];
  /** The content being read, once its command or 354 came. */
  #transfer?: { transfer: 'data' | 'bdat'; last: boolean };
  #sasl = false;
  /**
   * Lines the client sent after an AUTH without an initial response before the server asked for them (a 334): RFC 4954
   * §4 has the client wait, but a server reads them on as SASL responses, credentials included. Taken for responses
   * while the exchange is open; those no 334 asked for turn out commands when it ends. Undefined: no such AUTH open.
   */
  #ahead?: string[];
  /** The server's last EHLO reply listed CHUNKING (RFC 3030 §2). */
  #chunking = false;
  #tls = false;
  #serverSpoke = false;

  constructor(options: SmtpDialogueOptions = {}) {
    this.#client = new SmtpSplitter({ tlsAtLineStart: options.implicitTls ?? false });
  }

  /** Replies still owed: one per command (or message) sent and not answered, one for the greeting until it came. */
  get awaiting(): number {
    return this.#queue.awaiting;
  }

  /** Bytes held for incomplete lines, at most 4 KiB per direction. */
  get bufferedBytes(): number {
    return this.#client.bufferedBytes + this.#server.bufferedBytes;
  }

  /** Bytes the client sent, in order; then take its steps. */
  pushClient(chunk: Buffer): void {
    this.#client.push(chunk);
  }

  /** Bytes the server sent (as the client got them), in order; then take its steps. */
  pushServer(chunk: Buffer): void {
    if (chunk.length > 0) this.#serverSpoke = true;
    this.#server.push(chunk);
  }

  /**
   * Takes every client byte not yet stepped, as it came: for an owner that stops following the
   * dialogue (a front that hands the connection over at STARTTLS).
   */
  takeClientBytes(): Buffer {
    const made = this.#clientSteps.splice(0).map((step) => ('raw' in step ? step.raw : 'bytes' in step ? step.bytes : EMPTY));
    return Buffer.concat([...made, this.#client.takeBuffered()]);
  }

  /** The client's next step, or `undefined` until more of its bytes come. */
  nextClient(): ClientStep | undefined {
    const made = this.#clientSteps.shift();
    if (made) return made;
    const token = this.#client.next();
    if (!token) return undefined;
    switch (token.kind) {
      case 'tls':
        if (this.#tls) return token;
        this.#startTls();
        this.#clientSteps.push(token);
        return { kind: 'tls-start', how: this.#serverSpoke ? 'unannounced' : 'implicit' };
      case 'content':
        return this.#content(token.bytes, token.end);
      case 'long':
        if (!token.end) return token;
        return { kind: 'long', bytes: token.bytes, first: token.first, end: true, text: token.text, sasl: this.#line(token.text ?? '') };
      case 'line':
        return this.#line(token.text) ? { kind: 'sasl', text: token.text, raw: token.raw } : this.#command(token.text, token.raw);
    }
  }

  /** The server's next step, or `undefined` until more of its bytes come. */
  nextServer(): ServerStep | undefined {
    const made = this.#serverSteps.shift();
    if (made) return made;
    const token = this.#server.next();
    if (token?.kind !== 'reply') return token;
    const answered = this.#queue.answer(token.reply.code);
    if (answered.greeting) return { kind: 'greeting', reply: token.reply };
    this.#follow(token.reply, answered.command);
    return { kind: 'reply', reply: token.reply, answering: answered.command };
  }

  /** A client line ended: a SASL response (returns true) or a command, now awaiting its reply. */
  #line(text: string): boolean {
    if (this.#sasl) {
      this.#sasl = false;
      return true;
    }
    if (this.#ahead) {
      this.#ahead.push(text);
      return true;
    }
    this.#queue.sent(text);
    const { verb, arg } = splitCommand(text);
    if (verb === 'AUTH' && arg.trim().split(/\s+/).length === 1) this.#ahead = [];
    return false;
  }

  #command(text: string, raw: Buffer): ClientStep {
    const { verb, arg } = splitCommand(text);
    if (verb === 'BDAT' && this.#chunking) {
      // RFC 3030 §2: the chunk follows the command at once, without waiting for a reply.
      const [size, last] = arg.trim().split(/\s+/);
      const bytes = Number(size);
      if (Number.isSafeInteger(bytes) && bytes >= 0) {
        this.#transfer = { transfer: 'bdat', last: last?.toUpperCase() === 'LAST' };
        if (bytes === 0) this.#clientSteps.push(this.#content(EMPTY, true));
        else this.#client.expectBdat(bytes);
      }
    }
    return { kind: 'command', text, verb, raw };
  }

  #content(bytes: Buffer, end: boolean): ClientStep {
    const { transfer, last } = this.#transfer ?? { transfer: 'data', last: true };
    if (end) {
      this.#transfer = undefined;
      // The reply after the end of data answers the message (RFC 5321 §4.1.1.4); a BDAT chunk's is its command's.
      if (transfer === 'data') this.#queue.sent('(message)');
    }
    return { kind: 'content', bytes, end, transfer, last };
  }

  /**
   * What a final reply starts: a SASL response next (334), content (354 to DATA), TLS (220 to
   * STARTTLS); and what an EHLO reply says the server takes (CHUNKING).
   */
  #follow(reply: ServerReply, command: string | undefined): void {
    const { code } = reply;
    const verb = command === undefined ? undefined : splitCommand(command).verb;
    // Only AUTH goes on after a 334 (RFC 4954 §4); to any other command a 334 is just its (odd) reply.
    if (code === 334 && verb === 'AUTH') {
      // The response this 334 asks for may have come already (sent ahead); else it is the client's next line.
      if (this.#ahead?.length) this.#ahead.shift();
      else this.#sasl = true;
      return;
    }
    if (verb === 'AUTH') this.#endAuth();
    if (verb === 'EHLO' || verb === 'LHLO' || verb === 'HELO') {
      // HELO offers no extensions (RFC 5321 §4.1.1.1).
      this.#chunking = code === 250 && verb !== 'HELO' && advertises(reply.lines, 'CHUNKING');
    } else if (verb === 'STARTTLS' && code === 220) {
      this.#startTls();
      this.#serverSteps.push({ kind: 'tls-start', how: 'starttls' });
    } else if (verb === 'DATA' && code === 354) {
      this.#transfer = { transfer: 'data', last: true };
      this.#client.expectData();
    }
  }

  /** The AUTH exchange ended (its final reply): lines sent ahead that no 334 asked for were commands, answered next. */
  #endAuth(): void {
    this.#sasl = false;
    for (const line of this.#ahead ?? []) this.#queue.sent(line);
    this.#ahead = undefined;
  }

  #startTls(): void {
    this.#tls = true;
    this.#client.startTls();
    this.#server.startTls();
  }
}
