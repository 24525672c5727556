/**
 * What every Received-header format needs: the facts a receiving hop knows about the session a message came in
 * on (RFC 5321 §4.4), the writer interface, and the spellings the products use for dates, TLS versions and ids.
 */

/** What the receiving side knows about the session the message came in on. */
export interface ReceivedFacts {
  /** HELO/EHLO name the client gave. */
  helo: string;
  clientIp: string;
  /** The receiving hop's own address (Exchange writes it after `by`); defaults to clientIp (loopback chains). */
  serverIp?: string;
  /** The receiving hop's hostname (a format may write another name after `by`: see ReceivedWriter.byHost). */
  by: string;
  /** RFC 3848 keyword: ESMTP, ESMTPS, SMTP... */
  protocol: string;
  /**
   * TLS of the session: Node's protocol name (`TLSv1.3`), the IANA suite name (`TLS_ECDHE_ECDSA_WITH_NULL_SHA`),
   * and OpenSSL's name for it (`ECDHE-ECDSA-NULL-SHA`) when it differs.
   */
  tls: { version: string; cipher: string; opensslName?: string } | null;
  /** Random upper-case hex from the hop; each format derives its own id shape from it. */
  queueId: string;
  recipient: string;
  /**
   * How many recipients the transaction had (default 1). RFC 5321 §4.4 lets the `for` clause name one; Postfix,
   * Sendmail, Exim and OpenSMTPD write it only when there is exactly one (observed, see `forAndDate`).
   */
  recipientCount?: number;
  /** Envelope sender (Exim's `(envelope-from <...>)`). */
  mailFrom?: string;
  date: Date;
}

/** One product's Received header. */
export interface ReceivedWriter {
  /** The name written after `by` by a hop whose own hostname is `hostname` (a service's host for MessageLabs, Gmail). */
  byHost(hostname: string): string;
  /** The whole header, `Received: ...`, folded with the product's whitespace, ending in CRLF. */
  write(facts: ReceivedFacts): string;
}

/** Key bits of a cipher suite name, as Postfix prints `(256/256 bits)`; 0 for eNULL. */
export function cipherBits(cipher: string): number {
  if (/NULL/i.test(cipher)) return 0;
  if (/AES_?256|AES256|CHACHA20/i.test(cipher)) return 256;
  if (/AES_?128|AES128/i.test(cipher)) return 128;
  return 0;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * How a product writes the day of the month: `06` (`zero`, Exim), ` 6` (`space`, Postfix: strftime `%e`), `6`
 * (`none`, Sendmail, OpenSMTPD). RFC 5322 §3.3 allows all three (`day = ([FWS] 1*2DIGIT FWS)`).
 */
export type DayPadding = 'zero' | 'space' | 'none';

/**
 * An RFC 5322 §3.3 date-time in UTC, `Sun, 06 Dec 2026 23:56:54 +0000`, with the day padded as `day` says and
 * the zone written as `zone` (`GMT` is the obsolete zone of RFC 5322 §4.3 that Sendmail writes for UTC).
 * Hours, minutes and seconds are always two digits.
 */
export function receivedDate(date: Date, day: DayPadding, zone: '+0000' | 'GMT' = '+0000'): string {
  const d = date.getUTCDate();
  const dd = day === 'zero' ? String(d).padStart(2, '0') : day === 'space' ? String(d).padStart(2, ' ') : String(d);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${WEEKDAYS[date.getUTCDay()]}, ${dd} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} ${zone}`;
}

/** RFC 5322 date-time with a two-digit day, e.g. `Sun, 06 Dec 2026 23:56:54 +0000` (Exim, mailhop's own). */
export function rfc5322Date(date: Date): string {
  return receivedDate(date, 'zero');
}

/** RFC 5322 date-time without the day's leading zero, e.g. `Mon, 3 Mar 2025 08:47:43 +0000` (OpenSMTPD, Exchange). */
export function rfc5322DateShortDay(date: Date): string {
  return receivedDate(date, 'none');
}

/** The OpenSSL name of the suite (Postfix, sendmail, OpenSMTPD, MessageLabs and Gmail print it). */
export function opensslCipher(tls: NonNullable<ReceivedFacts['tls']>): string {
  return tls.opensslName ?? tls.cipher;
}

/** `TLSv1.3` -> `1.3`, `TLSv1` -> `1.0`. */
export function versionNumber(version: string): string {
  const m = /^TLSv?(\d)(?:[._](\d))?$/i.exec(version);
  return m ? `${m[1]}.${m[2] ?? '0'}` : version;
}

/** Bytes of the hop's hex queue id, for formats whose ids look otherwise. */
export function idBytes(queueId: string): number[] {
  const hex = queueId.padEnd(10, '0');
  return Array.from({ length: hex.length >> 1 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16) || 0);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `n` in base 62, at least `width` digits (Exim ids). */
export function base62(n: number, width: number): string {
  let out = '';
  for (let v = Math.max(0, Math.floor(n)); v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
  return out.padStart(width, '0');
}

/**
 * The header's last lines: the `for` clause (`forText`, e.g. `for <bob@partner.test>`) and the date, on one line
 * (`\tfor <RCPT>; DATE`: Postfix, Sendmail) or two (`\tfor RCPT;` then `\tDATE`: Exim, OpenSMTPD). With more than
 * one recipient there is no `for` clause: the last line gets the `;` and the date follows on its own line, as
 * observed with Postfix 3.7.11, Sendmail 8.17.1.9, Exim 4.96 and OpenSMTPD 6.8.0p2 receiving one message for two
 * recipients (`by HOST (Postfix) with ESMTP id QID;` then `\tMon,  7 Dec 2026 00:29:50 +0000 (UTC)`).
 */
export function forAndDate(f: ReceivedFacts, lines: readonly string[], forText: string, date: string, oneLine: boolean): string[] {
  if ((f.recipientCount ?? 1) > 1) return [...lines.slice(0, -1), `${lines[lines.length - 1]};`, `\t${date}`];
  return oneLine ? [...lines, `\t${forText}; ${date}`] : [...lines, `\t${forText};`, `\t${date}`];
}

/** Joins header lines with CRLF, ending in CRLF. */
export function folded(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}
