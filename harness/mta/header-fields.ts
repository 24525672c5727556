/**
 * Reading header fields from a raw message (RFC 5322 §2.2: a field is `name:` at the start of a line, folded
 * over lines that start with SP or HT, §2.2.3), as the hops, the senders and the trace read them.
 *
 * Why two paths: a message relayed through N hops carries N Received headers, so its header section grows with
 * every hop, and a hop reads it three times (its id, its Received stack, TLS-Required). Decoding the whole
 * section to one string each time made about a megabyte of short-lived strings per hop at the end of a
 * 1,000-hop chain, most of one message's peak memory there. An ASCII header section is read in place: only the
 * fields asked for are decoded. Anything else (UTF-8 header fields, RFC 6532; a bare CR, where the reading
 * below also starts a line) takes the plain whole-text reading, which gives the same values.
 */
import { isAscii } from 'node:buffer';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;

/** Reads the value of the first header named `name` from a raw message (case-insensitive). */
export function headerValue(raw: Buffer | string, name: string): string | undefined {
  return headerValues(raw, name)[0];
}

/**
 * The values of every header named `name`, top-down, unfolded (CRLF + whitespace becomes one space), trimmed.
 * Bytes are read as UTF-8 (RFC 6532 §3.2), so a Received header's `for <用户@例子.test>` reads as it was written.
 * The header section ends at the first empty line (CRLF or bare LF line ends).
 */
export function headerValues(raw: Buffer | string, name: string): string[] {
  if (typeof raw !== 'string') {
    const head = raw.subarray(0, headEnd(raw));
    if (isAscii(head) && !hasBareCr(head)) return asciiValues(head, name);
  }
  return textValues(typeof raw === 'string' ? raw : raw.toString('utf8'), name);
}

/** A field `name:` at the start of `text` (or of any line of it), its value over folded lines. */
const fieldPattern = (name: string, flags: string) => new RegExp(`^${name.replace(/[-]/g, '\\-')}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, flags);
const unfold = (value: string) => value.replace(/\r?\n[ \t]+/g, ' ').trim();

/** The whole-text reading: the header section decoded, every field of that name matched in it. */
function textValues(text: string, name: string): string[] {
  const end = text.search(/\r?\n\r?\n/);
  const head = end >= 0 ? text.slice(0, end) : text;
  return [...head.matchAll(fieldPattern(name, 'gim'))].map((m) => unfold(m[1]));
}

/**
 * The in-place reading of an ASCII header section without bare CRs: every line start (0 and after each LF) whose
 * bytes are `name:` (ASCII case-insensitive) is a field; only that field's bytes, up to the first LF not followed
 * by SP or HT, are decoded and matched, so each value is what {@link textValues} gives.
 */
function asciiValues(head: Buffer, name: string): string[] {
  const key = Buffer.from(`${name.toLowerCase()}:`, 'latin1');
  const pattern = fieldPattern(name, 'i');
  const values: string[] = [];
  for (let at = 0; at < head.length; ) {
    let next = fieldEnd(head, at);
    if (startsWithKey(head, at, key)) {
      const m = pattern.exec(head.toString('latin1', at, next));
      if (m) values.push(unfold(m[1]));
    } else {
      next = lineEnd(head, at);
    }
    at = next + 1;
  }
  return values;
}

/** Where the header section ends: the start of the first `\r?\n\r?\n`, else the end of `raw`. */
function headEnd(raw: Buffer): number {
  for (let lf = raw.indexOf(LF); lf >= 0; lf = raw.indexOf(LF, lf + 1)) {
    if (raw[lf + 1] === LF || (raw[lf + 1] === CR && raw[lf + 2] === LF)) return lf > 0 && raw[lf - 1] === CR ? lf - 1 : lf;
  }
  return raw.length;
}

/** Whether a CR not followed by LF occurs. */
function hasBareCr(head: Buffer): boolean {
  for (let cr = head.indexOf(CR); cr >= 0; cr = head.indexOf(CR, cr + 1)) if (head[cr + 1] !== LF) return true;
  return false;
}

/** The LF that ends the line starting at `at` (or the end of `head`). */
function lineEnd(head: Buffer, at: number): number {
  const lf = head.indexOf(LF, at);
  return lf < 0 ? head.length : lf;
}

/** The LF that ends the field starting at `at`: the first LF not followed by SP or HT (or the end of `head`). */
function fieldEnd(head: Buffer, at: number): number {
  let lf = lineEnd(head, at);
  while (lf < head.length && (head[lf + 1] === SP || head[lf + 1] === HT)) lf = lineEnd(head, lf + 1);
  return lf;
}

/** Whether `head` at `at` reads `key` (lower case), upper-case ASCII letters folded. */
function startsWithKey(head: Buffer, at: number, key: Buffer): boolean {
  if (at + key.length > head.length) return false;
  for (let i = 0; i < key.length; i++) {
    const b = head[at + i];
    if (b !== key[i] && !(b >= 0x41 && b <= 0x5a && (b | 0x20) === key[i])) return false;
  }
  return true;
}
