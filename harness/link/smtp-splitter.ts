/**
 * Cuts one direction of an SMTP byte stream into lines, message content and TLS bytes, chunk by
 * chunk, without ever holding more than one short line. The owner switches modes between tokens,
 * because only the other direction knows when they change (a 354 reply starts DATA content, a
 * 220 reply to STARTTLS starts TLS).
 */

/** One piece of the stream, in wire order; byte slices share memory with the pushed chunks. */
export type SmtpToken =
  /** A complete line of at most `maxLine` bytes; `raw` includes its CRLF (or bare LF). */
  | { kind: 'line'; text: string; raw: Buffer }
  /**
   * A piece of a line longer than `maxLine`: the first piece holds at least `maxLine` bytes. The
   * last piece (`end`) carries `text`, what the line is known by: see {@link longLineText}.
   */
  | { kind: 'long'; bytes: Buffer; first: boolean; end: boolean; text?: string }
  /** DATA content (up to and including the final `.` CRLF, RFC 5321 §4.1.1.4) or a BDAT chunk (RFC 3030). */
  | { kind: 'content'; bytes: Buffer; end: boolean }
  /** Bytes after the switch to TLS. */
  | { kind: 'tls'; bytes: Buffer };

/** Where the splitter is in the stream. */
export type SmtpSplitterMode = 'line' | 'data' | 'bdat' | 'tls';

export interface SmtpSplitterOptions {
  /** Lines longer than this many bytes (with CRLF) come as `long` pieces. Default 4096. */
  maxLine?: number;
  /**
   * Switch to `tls` by itself when a line starts with byte 0x16 (a TLS handshake record): a
   * ClientHello before any greeting (implicit TLS, RFC 8314 §3), or sent without a 220.
   * Meant for the client direction; default false.
   */
  tlsAtLineStart?: boolean;
}

/** Bytes of an over-long line that its text keeps. */
const LONG_LINE_TEXT = 1024;

const EMPTY = Buffer.alloc(0);
const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** Positions in the `CRLF . CRLF` end-of-data sequence (RFC 5321 §4.1.1.4). */
const Eod = { LineStart: 0, Mid: 1, Cr: 2, Dot: 3, DotCr: 4 } as const;
type Eod = (typeof Eod)[keyof typeof Eod];

/** Splits one direction of SMTP; see {@link SmtpToken}. Push a chunk, then drain `next()`. */
export class SmtpSplitter {
  readonly #maxLine: number;
  readonly #tlsAtLineStart: boolean;
  #buf: Buffer = EMPTY;
  #partial: Buffer[] = [];
  #partialLength = 0;
  #inLongLine = false;
  /** The text of the over-long line whose pieces are coming. */
  #longText = '';
  #mode: SmtpSplitterMode = 'line';
  #bdatLeft = 0;
  #eod: Eod = Eod.LineStart;

  constructor(options: SmtpSplitterOptions = {}) {
    this.#maxLine = options.maxLine ?? 4096;
    this.#tlsAtLineStart = options.tlsAtLineStart ?? false;
  }

  get mode(): SmtpSplitterMode {
    return this.#mode;
  }

  /** Bytes held for an incomplete line (at most `maxLine`). */
  get bufferedBytes(): number {
    return this.#partialLength;
  }

  /** Next bytes are DATA content, up to the end-of-data line. */
  expectData(): void {
    this.#mode = 'data';
    this.#eod = Eod.LineStart;
  }

  /** Next `size` bytes are a BDAT chunk (RFC 3030 §2); `size` 0 changes nothing. */
  expectBdat(size: number): void {
    if (size <= 0) return;
    this.#mode = 'bdat';
    this.#bdatLeft = size;
  }

  /** Everything from here on is TLS, including the bytes of an incomplete line. */
  startTls(): void {
    this.#mode = 'tls';
    if (this.#partialLength > 0) this.#buf = Buffer.concat([...this.#partial, this.#buf]);
    this.#partial = [];
    this.#partialLength = 0;
    this.#inLongLine = false;
  }

  /**
   * Takes every byte held and not yet returned (an incomplete line included), as they came: for an
   * owner that stops splitting and hands the stream on raw.
   */
  takeBuffered(): Buffer {
    const bytes = Buffer.concat([...this.#partial, this.#buf]);
    this.#partial = [];
    this.#partialLength = 0;
    this.#buf = EMPTY;
    this.#inLongLine = false;
    return bytes;
  }

  push(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
  }

  /** The next complete token, or `undefined` when more bytes are needed. */
  next(): SmtpToken | undefined {
    while (this.#buf.length > 0) {
      if (this.#mode === 'tls') return { kind: 'tls', bytes: this.#take(this.#buf.length) };
      if (this.#mode === 'bdat') {
        const bytes = this.#take(Math.min(this.#bdatLeft, this.#buf.length));
        this.#bdatLeft -= bytes.length;
        if (this.#bdatLeft === 0) this.#mode = 'line';
        return { kind: 'content', bytes, end: this.#bdatLeft === 0 };
      }
      if (this.#mode === 'data') return this.#content();
      const atLineStart = this.#partialLength === 0 && !this.#inLongLine;
      if (atLineStart && this.#tlsAtLineStart && this.#buf[0] === 0x16) {
        this.#mode = 'tls';
        continue;
      }
      const lf = this.#buf.indexOf(LF);
      if (this.#inLongLine) {
        const bytes = this.#take(lf >= 0 ? lf + 1 : this.#buf.length);
        this.#inLongLine = lf < 0;
        return this.#long(bytes, false, lf >= 0);
      }
      const available = lf >= 0 ? lf + 1 : this.#buf.length;
      if (this.#partialLength + available > this.#maxLine) {
        const bytes = Buffer.concat([...this.#partial, this.#take(available)]);
        this.#partial = [];
        this.#partialLength = 0;
        this.#inLongLine = lf < 0;
        this.#longText = longLineText(bytes);
        return this.#long(bytes, true, lf >= 0);
      }
      if (lf < 0) {
        // Copy: the caller may reuse its chunk, and a partial line must outlive it.
        this.#partial.push(Buffer.from(this.#take(available)));
        this.#partialLength += available;
        return undefined;
      }
      const raw = Buffer.concat([...this.#partial, this.#take(available)]);
      this.#partial = [];
      this.#partialLength = 0;
      return { kind: 'line', text: lineText(raw), raw };
    }
    return undefined;
  }

  #long(bytes: Buffer, first: boolean, end: boolean): SmtpToken {
    return end ? { kind: 'long', bytes, first, end, text: this.#longText } : { kind: 'long', bytes, first, end };
  }

  /** DATA content up to and including `.` CRLF at a line start. */
  #content(): SmtpToken {
    const buf = this.#buf;
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i];
      switch (this.#eod) {
        case Eod.LineStart:
          this.#eod = byte === DOT ? Eod.Dot : byte === CR ? Eod.Cr : Eod.Mid;
          break;
        case Eod.Mid:
          if (byte === CR) this.#eod = Eod.Cr;
          break;
        case Eod.Cr:
          this.#eod = byte === LF ? Eod.LineStart : byte === CR ? Eod.Cr : Eod.Mid;
          break;
        case Eod.Dot:
          this.#eod = byte === CR ? Eod.DotCr : Eod.Mid;
          break;
        case Eod.DotCr:
          if (byte === LF) {
            this.#mode = 'line';
            return { kind: 'content', bytes: this.#take(i + 1), end: true };
          }
          this.#eod = byte === CR ? Eod.Cr : Eod.Mid;
          break;
      }
    }
    return { kind: 'content', bytes: this.#take(buf.length), end: false };
  }

  #take(n: number): Buffer {
    const bytes = this.#buf.subarray(0, n);
    this.#buf = n >= this.#buf.length ? EMPTY : this.#buf.subarray(n);
    return bytes;
  }
}

/**
 * What a line over the splitter's limit is known by: its first KiB as UTF-8 (without a line end), and
 * `…`. Enough to name the command or read the reply code; the rest is never held.
 */
export function longLineText(firstPiece: Buffer): string {
  const text = firstPiece.toString('utf8', 0, Math.min(firstPiece.length, LONG_LINE_TEXT)).replace(/\r?\n$/, '');
  return `${text}…`;
}

/** A line without its CRLF or bare LF, as UTF-8 text. */
export function lineText(raw: Buffer): string {
  let end = raw.length;
  if (end > 0 && raw[end - 1] === LF) end--;
  if (end > 0 && raw[end - 1] === CR) end--;
  return raw.toString('utf8', 0, end);
}
