/**
 * The server's direction of an SMTP connection, cut into lines and gathered into replies (RFC 5321
 * §4.2: `250-` lines continue, the first `250 ` line ends the reply), then raw TLS bytes once the
 * owner says TLS started. Pairing replies with commands is not done here: see `smtp-dialogue.ts`.
 */
import { enhancedCode, parseReplyLine, type ReplyLine } from './smtp-syntax.js';
import { SmtpSplitter } from './smtp-splitter.js';

/** Lines of one reply kept in {@link ServerReply.lines} by an observer; more are still read and counted. */
export const MAX_KEPT_REPLY_LINES = 100;

/** One whole reply, possibly multiline. */
export interface ServerReply {
  /** The code of its last line. */
  code: number;
  /** The enhanced status code at the start of its last line's text (RFC 3463), e.g. `4.7.0`. */
  enhanced?: string;
  /**
   * Its lines as sent, code and separator included, without CRLF: `['250-mx.test', '250 STARTTLS']`.
   * A line over the splitter's limit appears as its first KiB and `…`. An observer keeps the first
   * {@link MAX_KEPT_REPLY_LINES}; a relay keeps all.
   */
  lines: string[];
  /** For a relay: the bytes of its lines as they came, line ends included, to pass on unchanged. */
  raw?: Buffer[];
}

/** One piece of the server's direction, in wire order. */
export type ReplyToken =
  /** A complete line; `reply` when it is a reply line. `raw` includes its line end. */
  | { kind: 'line'; text: string; raw: Buffer; reply?: ReplyLine }
  /** A piece of a line over the splitter's limit; on the last piece, its `text` and, if it is one, its `reply` line. */
  | { kind: 'long'; bytes: Buffer; first: boolean; end: boolean; text?: string; reply?: ReplyLine }
  /** A reply is complete; it follows the token of its last line. */
  | { kind: 'reply'; reply: ServerReply }
  /** Bytes after {@link ReplySplitter.startTls}. */
  | { kind: 'tls'; bytes: Buffer };

/** Options of {@link ReplySplitter}. */
export interface ReplySplitterOptions {
  /**
   * The owner passes the server's bytes on itself (a fault pipeline): every line of a reply is kept,
   * with its raw bytes. A line over the splitter's limit must be passed on in pieces as it comes,
   * before its reply is complete, so it stands apart: it joins no reply, and a last line among them
   * (`reply.last`) answers a command by itself. Default false: an observer, for whom such a line is
   * one line of its reply.
   */
  relay?: boolean;
}

/**
 * Push the server's bytes, then drain `next()`. Holds one incomplete line (at most 4 KiB) and the
 * reply being gathered: at most {@link MAX_KEPT_REPLY_LINES} lines for an observer, every line for a relay.
 */
export class ReplySplitter {
  readonly #relay: boolean;
  readonly #lines = new SmtpSplitter();
  #gathered: { lines: string[]; raw: Buffer[] } = { lines: [], raw: [] };
  #complete?: ReplyToken;

  constructor(options: ReplySplitterOptions = {}) {
    this.#relay = options.relay ?? false;
  }

  /** Bytes held for an incomplete line. */
  get bufferedBytes(): number {
    return this.#lines.bufferedBytes;
  }

  /** Everything from here on is TLS (RFC 3207 §4), including the bytes of an incomplete line. */
  startTls(): void {
    this.#lines.startTls();
  }

  /** The server's next bytes, in order. */
  push(chunk: Buffer): void {
    this.#lines.push(chunk);
  }

  /** The next token, or `undefined` when more bytes are needed. */
  next(): ReplyToken | undefined {
    if (this.#complete) {
      const complete = this.#complete;
      this.#complete = undefined;
      return complete;
    }
    const token = this.#lines.next();
    if (!token) return undefined;
    switch (token.kind) {
      case 'line': {
        const reply = parseReplyLine(token.text);
        if (reply) this.#gather(reply, token.text, token.raw);
        return { kind: 'line', text: token.text, raw: token.raw, reply };
      }
      case 'long': {
        const reply = token.text === undefined ? undefined : parseReplyLine(token.text);
        if (reply && !this.#relay) this.#gather(reply, token.text as string);
        return { kind: 'long', bytes: token.bytes, first: token.first, end: token.end, text: token.text, reply };
      }
      default:
        // 'tls', or 'content', which nothing asks of this direction.
        return { kind: 'tls', bytes: token.bytes };
    }
  }

  #gather(line: ReplyLine, text: string, raw?: Buffer): void {
    const gathered = this.#gathered;
    if (this.#relay || gathered.lines.length < MAX_KEPT_REPLY_LINES) gathered.lines.push(text);
    if (this.#relay && raw) gathered.raw.push(raw);
    if (!line.last) return;
    this.#gathered = { lines: [], raw: [] };
    const reply: ServerReply = { code: line.code, lines: gathered.lines };
    const enhanced = enhancedCode(line.text);
    if (enhanced) reply.enhanced = enhanced;
    if (this.#relay) reply.raw = gathered.raw;
    this.#complete = { kind: 'reply', reply };
  }
}
