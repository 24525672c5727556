/**
 * The TLS-RPT TXT record at `_smtp._tls.<policy domain>` (RFC 8460 §3): `v=TLSRPTv1; rua=<uri>[,<uri>...]`, where
 * each `rua` URI is `mailto:` (the report by mail, §5.3) or `https:` (POSTed, §5.4). mailhop posts only to itself on
 * loopback: an `https:` URI naming any other host is refused with the reason, never contacted.
 */

/** Where one report goes. */
export type ReportUri =
  | { kind: 'mailto'; uri: string; address: string }
  | { kind: 'https'; uri: string; url: URL };

/** A record read: its report URIs, or why it is not a TLS-RPT record a sender may use. */
export type TlsRptRecord = { rua: ReportUri[] } | { problem: string };

/** True for a host in 127.0.0.0/8, the only place mailhop sends to. */
export function isLoopbackHost(host: string): boolean {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

/**
 * Reads a TXT record's text (its strings joined) as RFC 8460 §3 has it: `v=TLSRPTv1` first, then `;`-separated
 * `name=value` fields, `rua` a comma-separated list of URIs. Unknown fields are ignored (§3).
 */
export function parseTlsRptRecord(text: string): TlsRptRecord {
  const fields = text.split(';').map((f) => f.trim()).filter((f) => f !== '');
  if (fields[0]?.replace(/\s+/g, '') !== 'v=TLSRPTv1') return { problem: `not a TLS-RPT record: it must begin with v=TLSRPTv1 (RFC 8460 §3), got ${JSON.stringify(text)}` };
  const rua = fields.find((f) => /^rua\s*=/.test(f));
  if (!rua) return { problem: 'no rua= field: the record names nowhere to send reports (RFC 8460 §3)' };
  const uris = rua.slice(rua.indexOf('=') + 1).split(',').map((u) => u.trim()).filter((u) => u !== '');
  const out: ReportUri[] = [];
  for (const uri of uris) {
    if (/^mailto:/i.test(uri)) {
      const address = decodeURIComponent(uri.slice('mailto:'.length).split('?')[0]);
      if (!/^[^\s@]+@[^\s@]+$/.test(address)) return { problem: `rua ${uri}: not an address` };
      out.push({ kind: 'mailto', uri, address });
    } else if (/^https:/i.test(uri)) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        return { problem: `rua ${uri}: not a URL` };
      }
      out.push({ kind: 'https', uri, url });
    } else return { problem: `rua ${uri}: only mailto: and https: are defined (RFC 8460 §3)` };
  }
  return { rua: out };
}

/** Why an `https:` report URI is refused (mailhop posts only to its own endpoint on loopback), or undefined. */
export function refusedHttps(uri: ReportUri): string | undefined {
  if (uri.kind !== 'https') return undefined;
  if (isLoopbackHost(uri.url.hostname)) return undefined;
  return `rua ${uri.uri}: mailhop posts reports only to its own endpoint on loopback (127.0.0.0/8), never to ${uri.url.hostname}; write the URI as https://127.0.0.1/<path>`;
}
