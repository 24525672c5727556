/**
 * Writes the trace header a hop prepends (RFC 5321 §4.4), with the RFC 3848 transmission type
 * (`ESMTP`, `ESMTPS`) and Postfix's TLS comment (`smtpd_tls_received_header = yes` form,
 * tls-behaviour.md §4.1).
 */

/** What the receiving side knows about the session the message came in on. */
export interface ReceivedFacts {
  /** HELO/EHLO name the client gave. */
  helo: string;
  clientIp: string;
  /** The receiving hop's hostname. */
  by: string;
  /** RFC 3848 keyword: ESMTP, ESMTPS, SMTP... */
  protocol: string;
  tls: { version: string; cipher: string } | null;
  queueId: string;
  recipient: string;
  date: Date;
}

/** Key bits of a cipher suite name, as Postfix prints `(256/256 bits)`; 0 for eNULL. */
export function cipherBits(cipher: string): number {
  if (/NULL/i.test(cipher)) return 0;
  if (/AES_?256|AES256|CHACHA20/i.test(cipher)) return 256;
  if (/AES_?128|AES128/i.test(cipher)) return 128;
  return 0;
}

/** RFC 5322 date-time, e.g. `Sun, 29 Nov 2026 20:32:29 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** The header line, folded with tabs, ending in CRLF. */
export function receivedHeader(f: ReceivedFacts): string {
  const lines = [`Received: from ${f.helo} (${f.helo} [${f.clientIp}])`];
  if (f.tls) {
    const bits = cipherBits(f.tls.cipher);
    lines.push(`\t(using ${f.tls.version} with cipher ${f.tls.cipher} (${bits}/${bits} bits))`);
  }
  lines.push(`\tby ${f.by} (mailhop) with ${f.protocol} id ${f.queueId}`);
  lines.push(`\tfor <${f.recipient}>; ${rfc5322Date(f.date)}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** Reads the value of the first header named `name` from a raw message (case-insensitive). */
export function headerValue(raw: Buffer | string, name: string): string | undefined {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end >= 0 ? text.slice(0, end) : text;
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im');
  const m = re.exec(head);
  return m ? m[1].replace(/\r?\n[ \t]+/g, ' ').trim() : undefined;
}
