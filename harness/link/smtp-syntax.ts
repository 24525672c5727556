/**
 * The few words of SMTP syntax everything that reads a dialogue agrees on: what a reply line is
 * (RFC 5321 §4.2), its enhanced status code (RFC 3463), and a command line's verb (RFC 5321 §4.1.1).
 * Readers that must be strict (mailhop's own client) add their checks on top; nothing here throws.
 */

/** One reply line, e.g. `250-PIPELINING` is `{ code: 250, last: false, text: 'PIPELINING' }`. */
export interface ReplyLine {
  /** The three-digit reply code. */
  code: number;
  /** A space or nothing follows the code: the reply ends here. A hyphen means more lines follow (RFC 5321 §4.2.1). */
  last: boolean;
  /** What follows the code and its separator, possibly empty. */
  text: string;
}

/** Three digits, then a space, a hyphen or nothing, then any text (CR included: a line is what lies between line ends). */
const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/s;
const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})\b/;

/**
 * Reads a reply line (without its CRLF) as RFC 5321 §4.2 shapes it, or `undefined` for a line that is
 * none (no three digits first, or no space or hyphen after them). Codes are not range-checked.
 * @example parseReplyLine('250 2.0.0 Ok') // { code: 250, last: true, text: '2.0.0 Ok' }
 */
export function parseReplyLine(line: string): ReplyLine | undefined {
  const m = REPLY_LINE.exec(line);
  if (!m) return undefined;
  return { code: Number(m[1]), last: m[2] !== '-', text: m[3] ?? '' };
}

/**
 * The enhanced status code (RFC 3463 §2: class `2`, `4` or `5`, subject, detail) at the start of a
 * reply line's text, e.g. `4.7.0` in `4.7.0 TLS not available`; `undefined` when there is none.
 */
export function enhancedCode(text: string): string | undefined {
  return ENHANCED.exec(text)?.[1];
}

/**
 * A command line cut into its verb (upper-cased) and the rest (RFC 5321 §4.1.1: verb, a space,
 * parameters). Leading white space is skipped and any white space ends the verb, as Postfix reads
 * commands: a reader that takes less for the verb than the server did would miss a `DATA` the
 * server accepted.
 * @example splitCommand('mail FROM:<a@b.test>') // { verb: 'MAIL', arg: 'FROM:<a@b.test>' }
 */
export function splitCommand(line: string): { verb: string; arg: string } {
  const m = /^\s*(\S*)(?:\s(.*))?$/s.exec(line) as RegExpExecArray;
  return { verb: m[1].toUpperCase(), arg: m[2] ?? '' };
}

/** The upper-cased verb of a command line, e.g. `STARTTLS`; see {@link splitCommand}. */
export function verbOf(line: string): string {
  return splitCommand(line).verb;
}

/**
 * Whether an EHLO reply lists the extension `keyword` (RFC 5321 §4.1.1.1: the first line names the
 * server, each later one holds a keyword and its parameters), e.g. `STARTTLS` (RFC 3207 §4).
 * @param lines the reply's lines as sent, codes included: `['250-mx.test', '250 STARTTLS']`
 */
export function advertises(lines: readonly string[], keyword: string): boolean {
  return lines.slice(1).some((line) => verbOf(line.slice(4)) === keyword);
}
