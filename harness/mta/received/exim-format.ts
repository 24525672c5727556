import { base62, folded, forAndDate, idBytes, rfc5322Date, versionNumber, type ReceivedFacts, type ReceivedWriter } from './received-format.js';

/**
 * The suite name Exim 4.96 built with GnuTLS prints. For TLS 1.3 a TLS 1.2-style name whose key exchange reads
 * `ECDHE_RSA` whatever the server key is: under TLS 1.3 GnuTLS's gnutls_kx_get() reports any elliptic-curve
 * exchange as GNUTLS_KX_ECDHE_RSA (GnuTLS API reference). Observed with Exim 4.96 and mailhop's ECDSA keys:
 * `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`, `..._AES_128_GCM_SHA256`, `..._CHACHA20_POLY1305_SHA256`
 * (docs/behaviour.md#R-exim). Other versions: the IANA name (observed `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`).
 */
export function eximCipher(tls: NonNullable<ReceivedFacts['tls']>): string {
  const tls13 = /^TLS_((?:AES_\d+_GCM|AES_\d+_CCM(?:_8)?|CHACHA20_POLY1305)_SHA\d+)$/.exec(tls.cipher);
  return versionNumber(tls.version) === '1.3' && tls13 ? `TLS_ECDHE_RSA_WITH_${tls13[1]}` : tls.cipher;
}

/** An Exim 4.96 message id: seconds (6 base-62 digits), pid (6), fraction (2), e.g. `1xXlBA-0008A1-2Y`. */
function eximId(f: ReceivedFacts): string {
  const [a, b, c, d, e] = idBytes(f.queueId);
  return `${base62(f.date.getTime() / 1000, 6).slice(-6)}-${base62((a << 16) | (b << 8) | c, 6)}-${base62((d << 8) | e, 2).slice(-2)}`;
}

/**
 * Exim ≥4.93 default `received_header_text` as observed with Exim 4.96 receiving over TLS 1.3, TLS 1.2 and in
 * plaintext (docs/behaviour.md#R-exim, test/engines/received-exact.test.ts) [EX-spec][EX-CL]:
 * ```
 * Received: from [IP] (helo=HELO)
 * 	by HOST with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
 * 	(Exim 4.96)
 * 	(envelope-from <SENDER>)
 * 	id 1xaM6A-0003ZT-26
 * 	for RCPT;
 * 	Sun, 06 Dec 2026 23:56:54 +0000
 * ```
 * Several recipients: no `for` line, `\tid ...;` (received-format.ts `forAndDate`).
 * Note the two spaces after `esmtps` and the two-digit day; without TLS: `with esmtp (Exim 4.96)` on one line.
 * Exim's default configuration logs no ports, so `$sender_rcvhost` is `[IP] (helo=HELO)`; with `+incoming_port`
 * in `log_selector` (as mailhop's engine configuration has it) it reads `[IP] (port=N helo=HELO)` [EX-spec].
 */
export const eximFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const protocol = f.protocol.toLowerCase();
    const lines = [`Received: from [${f.clientIp}] (helo=${f.helo})`];
    if (f.tls) lines.push(`\tby ${f.by} with ${protocol}  (TLS${versionNumber(f.tls.version)}) tls ${eximCipher(f.tls)}`, '\t(Exim 4.96)');
    else lines.push(`\tby ${f.by} with ${protocol} (Exim 4.96)`);
    lines.push(`\t(envelope-from <${f.mailFrom ?? ''}>)`, `\tid ${eximId(f)}`);
    return folded(forAndDate(f, lines, `for ${f.recipient}`, rfc5322Date(f.date), false));
  },
};
