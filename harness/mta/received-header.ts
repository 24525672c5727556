/**
 * Writes the trace header a hop prepends (RFC 5321 §4.4) in the format its `inbound.received` names
 * (received/: one file per product, docs/behaviour.md#received). The default `mailhop` format is
 * Postfix-like, with the RFC 3848 transmission type (`ESMTP`, `ESMTPS`) and Postfix's TLS comment.
 */
import type { ReceivedFormat } from '../scenario/schema.js';
import { RECEIVED_WRITERS } from './received/index.js';
import type { ReceivedFacts } from './received/received-format.js';

export type { ReceivedFacts } from './received/received-format.js';
export { cipherBits, rfc5322Date } from './received/received-format.js';

/**
 * The header in `format` (default `mailhop`), folded with the product's whitespace, ending in CRLF.
 * @example receivedHeader(facts, 'exim') // 'Received: from [127.0.0.1] (helo=a.mailhop.test)\r\n\tby b.mailhop.test with esmtps  (TLS1.3) ...'
 */
export function receivedHeader(f: ReceivedFacts, format: ReceivedFormat = 'mailhop'): string {
  return RECEIVED_WRITERS[format].write(f);
}

/** The name a hop with this format writes after `by` (its hostname, or its service's host: MessageLabs, Gmail). */
export function receivedByHost(hostname: string, format: ReceivedFormat = 'mailhop'): string {
  return RECEIVED_WRITERS[format].byHost(hostname);
}

/** Reads the value of the first header named `name` from a raw message (case-insensitive). */
export function headerValue(raw: Buffer | string, name: string): string | undefined {
  return headerValues(raw, name)[0];
}

/**
 * The values of every header named `name`, top-down, unfolded (CRLF + whitespace becomes one space). Bytes are
 * read as UTF-8 (RFC 6532 §3.2), so a Received header's `for <用户@例子.test>` reads as it was written.
 */
export function headerValues(raw: Buffer | string, name: string): string[] {
  const head = typeof raw === 'string' ? raw.slice(0, headerEnd(raw)) : raw.toString('utf8', 0, headerEnd(raw));
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'gim');
  return [...head.matchAll(re)].map((m) => m[1].replace(/\r?\n[ \t]+/g, ' ').trim());
}

/**
 * Where the header section ends: the offset of the line end before the first empty line (`\r?\n\r?\n`), or the
 * length when there is none. Found in the bytes, so only the header section is decoded (a hop reads several headers
 * of every message it takes; the body can be megabytes). CR and LF are single bytes in UTF-8, so the offset is the
 * same in the bytes and in the decoded text.
 */
function headerEnd(raw: Buffer | string): number {
  for (let lf = raw.indexOf('\n'); lf !== -1; lf = raw.indexOf('\n', lf + 1)) {
    const next = raw[lf + 1] === '\r' || raw[lf + 1] === 0x0d ? lf + 2 : lf + 1;
    if (raw[next] === '\n' || raw[next] === 0x0a) return lf > 0 && (raw[lf - 1] === '\r' || raw[lf - 1] === 0x0d) ? lf - 1 : lf;
  }
  return raw.length;
}
