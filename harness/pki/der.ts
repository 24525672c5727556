/**
 * The few DER encodings (ITU-T X.690 §8 and §10) a hop certificate is made of: enough to write an RFC 5280
 * certificate from parts, and to split a CA's certificate into its fields. Every encoding function returns
 * the whole TLV (tag, length, content). Single-byte tags only: every tag in a certificate is one.
 */

/** A tag and its content, with the definite length form DER requires (X.690 §8.1.3, §10.1). */
export function tlv(tag: number, ...content: readonly Uint8Array[]): Buffer {
  const body = content.length === 1 ? content[0] : Buffer.concat(content);
  const n = body.length;
  const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : n < 0x10000 ? [tag, 0x82, n >> 8, n & 0xff] : null;
  if (!head) throw new RangeError(`DER content of ${n} bytes is longer than a certificate part can be (65,535 bytes)`);
  return Buffer.concat([Buffer.from(head), body]);
}

export const sequence = (...content: readonly Uint8Array[]): Buffer => tlv(0x30, ...content);
export const set = (...content: readonly Uint8Array[]): Buffer => tlv(0x31, ...content);
export const octetString = (content: Uint8Array): Buffer => tlv(0x04, content);
/** A BIT STRING of whole bytes: no unused bits (X.690 §8.6.2). */
export const bitString = (content: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), content);
/** `[n] EXPLICIT`: a constructed context-specific tag around a whole TLV (X.690 §8.14). */
export const explicit = (n: number, ...content: readonly Uint8Array[]): Buffer => tlv(0xa0 | n, ...content);

/** A non-negative INTEGER from its big-endian bytes, in the minimal form DER requires (X.690 §8.3.2). */
export function unsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  // A leading 1 bit would make it negative (two's complement): a zero byte keeps it positive.
  return tlv(0x02, ...(trimmed[0] & 0x80 ? [Buffer.from([0]), trimmed] : [trimmed]));
}

/** An OBJECT IDENTIFIER from its dotted form, e.g. `2.5.29.17` (X.690 §8.19). */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [arcs[0] * 40 + arcs[1], ...arcs.slice(2)]) {
    // Base 128, most significant group first, the high bit set on every byte but the last.
    const base128 = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) base128.unshift((rest & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/**
 * A certificate time: UTCTime for years 1950 to 2049, GeneralizedTime from 2050, to the second in UTC,
 * as RFC 5280 §4.1.2.5 requires of validity dates.
 */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-12-07T03:03:53.123Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'latin1')) : tlv(0x18, Buffer.from(digits, 'latin1'));
}

/** PrintableString's characters (X.680 §41.4): what most names are written in, as OpenSSL and @peculiar/x509 do. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** A DirectoryString (RFC 5280 §4.1.2.4): PrintableString when the text allows it, UTF8String otherwise. */
export function directoryString(text: string): Buffer {
  return PRINTABLE.test(text) ? tlv(0x13, Buffer.from(text, 'latin1')) : tlv(0x0c, Buffer.from(text, 'utf8'));
}

/** Where the TLV at `at` ends and its content starts (X.690 §8.1.3). @throws RangeError when it runs past `der` */
function bounds(der: Uint8Array, at: number): { content: number; end: number } {
  const first = der[at + 1];
  let length = first;
  let content = at + 2;
  if (first >= 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 3) throw new RangeError(`DER at byte ${at}: length of ${octets} octets (a certificate part has 1 to 3)`);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[content + i];
    content += octets;
  }
  if (first === undefined || content + length > der.length) throw new RangeError(`DER at byte ${at}: runs past the end (${der.length} bytes)`);
  return { content, end: content + length };
}

/**
 * The TLVs inside the constructed TLV that starts `der` (a SEQUENCE's fields), each whole, in order.
 * @throws RangeError when a length runs past the end
 */
export function children(der: Buffer): Buffer[] {
  const outer = bounds(der, 0);
  const parts: Buffer[] = [];
  for (let at = outer.content; at < outer.end; ) {
    const { end } = bounds(der, at);
    parts.push(der.subarray(at, end));
    at = end;
  }
  return parts;
}
