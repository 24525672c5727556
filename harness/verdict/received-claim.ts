/**
 * What one Received header claims about the session it records, read the way a recipient would read it:
 * the product regexes (docs/behaviour.md#R-reading) first (they see the TLS comment even where no `with` keyword
 * says so: Exchange, MessageLabs, Mimecast), then the RFC 3848 `with` keyword (`ESMTPS` = TLS was used).
 * The `S` says nothing about the cipher: an eNULL session still reads as TLS (docs/behaviour.md#R-limits), as it would to a person.
 */

/** What a recipient would conclude about the session: TLS, plaintext, or nothing it can tell. */
export type Belief = 'tls' | 'plain' | 'unknown';

/** One header, parsed. */
export interface ReceivedClaim {
  /** The sender as named: its HELO name (`from NAME`, or Exim's `(helo=NAME)`) and its address literal. */
  from: { name?: string; ip?: string };
  /** The host after `by`. */
  by?: string;
  /** The `with` keyword, when there is one (`ESMTPS`, `esmtp`, ...). */
  protocol?: string;
  /** TLS parameters the header names, when it names any. */
  tls?: { version?: string; cipher?: string; bits?: number };
  believed: Belief;
  /** Which rule decided: a product name (R-reading), `with` (the keyword alone), or `none`. */
  rule: string;
}

/** Product regexes (R-reading; case-insensitive, on the unfolded header), in the order they are tried. */
const TLS_RULES: ReadonlyArray<{ rule: string; re: RegExp; version: number; cipher: number; bits?: number }> = [
  { rule: 'postfix', re: /\(using (TLSv1(?:\.[0-3])?|SSLv3) with cipher ([A-Z0-9_-]+) \((\d+)\/(\d+) bits\)/i, version: 1, cipher: 2, bits: 3 },
  { rule: 'sendmail', re: /\(version=(\S+) cipher=(\S+) bits=(\d+) verify=([A-Z_]+)\)/i, version: 1, cipher: 2, bits: 3 },
  { rule: 'gmail', re: /\(version=(TLS1_[0-3]|TLSv1(?:\.[0-3])?|TLSv1\/SSLv3|SSLv3) cipher=(\S+?)(?: bits=(\d+)\/(\d+))?\)/i, version: 1, cipher: 2, bits: 3 },
  { rule: 'exim', re: /with (e?smtps?a?)\s+\((TLS1\.[0-3])\) tls ([A-Z0-9_]+)/i, version: 2, cipher: 3 },
  { rule: 'exim-old', re: /with (e?smtps?a?) \((TLS1\.[0-3]|SSLv3):([A-Z0-9_-]+):(\d+)\)/i, version: 2, cipher: 3, bits: 4 },
  { rule: 'opensmtpd', re: /with (E?SMTPS?A?) id \S+ \((TLSv1(?:\.[0-3])?):([A-Z0-9_-]+):(\d+):(YES|NO|FAIL)\)/i, version: 2, cipher: 3, bits: 4 },
  { rule: 'exchange', re: /with Microsoft SMTP Server \(version=(TLS1_[0-3]), cipher=([A-Z0-9_]+)\)/i, version: 1, cipher: 2 },
  { rule: 'mimecast', re: /with ESMTP with STARTTLS \(version=(TLSv1\.[0-3]), cipher=([A-Z0-9_]+)\)/i, version: 1, cipher: 2 },
  // MessageLabs has no `with` clause at all; its comment gives one number of bits (R-messagelabs).
  { rule: 'messagelabs', re: /\(using (TLSv1(?:\.[0-3])?|SSLv3) with cipher ([A-Z0-9_-]+) \((\d+) bits\)\)/i, version: 1, cipher: 2, bits: 3 },
];

/** RFC 3848 / RFC 6531 `with` keywords; the `S` is the TLS claim. */
const WITH = /\bwith\s+((?:UTF8)?(?:E?SMTP|LMTP)(S?)A?)\b/i;

/** Drops (nested) comments, so `from`, `by` and `with` are found outside them (RFC 5322 CFWS). */
function withoutComments(text: string): string {
  let out = text;
  for (let prev = ''; prev !== out; ) {
    prev = out;
    out = out.replace(/\([^()]*\)/g, ' ');
  }
  return out.replace(/\s+/g, ' ');
}

/**
 * Parses one unfolded Received header value (without the `Received:` name).
 * @example parseReceived('from [10.0.0.1] (using TLSv1.2 with cipher AES256-SHA (256 bits)) by server-1.bemta-2.messagelabs.com id 1; date')
 *   // { from: { ip: '10.0.0.1' }, by: 'server-1...', tls: { version: 'TLSv1.2', cipher: 'AES256-SHA', bits: 256 }, believed: 'tls', rule: 'messagelabs' }
 */
export function parseReceived(value: string): ReceivedClaim {
  const bare = withoutComments(value);
  const fromToken = /\bfrom\s+(\S+)/i.exec(bare)?.[1];
  const helo = /\(helo=([^)\s]+)\)/i.exec(value)?.[1];
  const literal = fromToken && /^\[([^\]]+)\]$/.exec(fromToken);
  const rdnsIp = /\bfrom\s+\S+\s+\([^)]*\[([^\]]+)\]\)/i.exec(value)?.[1];
  const from = {
    ...(helo ? { name: helo } : fromToken && !literal ? { name: fromToken } : {}),
    ...(literal ? { ip: literal[1] } : rdnsIp ? { ip: rdnsIp } : {}),
  };
  const by = /\bby\s+([^\s;]+)/i.exec(bare)?.[1];
  const withMatch = WITH.exec(bare);
  const base = { from, ...(by ? { by } : {}), ...(withMatch ? { protocol: withMatch[1] } : {}) };

  for (const r of TLS_RULES) {
    const m = r.re.exec(value);
    if (!m) continue;
    const tls = { version: m[r.version], cipher: m[r.cipher], ...(r.bits && m[r.bits] ? { bits: Number(m[r.bits]) } : {}) };
    return { ...base, tls, believed: 'tls', rule: r.rule };
  }
  if (withMatch) return { ...base, believed: withMatch[2] ? 'tls' : 'plain', rule: 'with' };
  // Products that say TLS only in a comment: its absence means plaintext.
  if (/\bwith Microsoft SMTP Server\b/i.test(bare)) return { ...base, believed: 'plain', rule: 'exchange' };
  if (by && /\.messagelabs\.com$/i.test(by)) return { ...base, believed: 'plain', rule: 'messagelabs' };
  return { ...base, believed: 'unknown', rule: 'none' };
}
