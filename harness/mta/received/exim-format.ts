import { base62, folded, idBytes, rfc5322DateShortDay, versionNumber, type ReceivedFacts, type ReceivedWriter } from './received-format.js';

/**
 * The suite name Exim 4.96 built with GnuTLS prints: for TLS 1.3 a TLS 1.2-style name with the key exchange and
 * signature (observed `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384` for TLS_AES_256_GCM_SHA384 with an RSA key,
 * docs/behaviour.md#R-exim); mailhop's hop keys are ECDSA. Other versions: the IANA name.
 */
export function eximCipher(tls: NonNullable<ReceivedFacts['tls']>): string {
  const tls13 = /^TLS_((?:AES_\d+_GCM|AES_\d+_CCM(?:_8)?|CHACHA20_POLY1305)_SHA\d+)$/.exec(tls.cipher);
  return versionNumber(tls.version) === '1.3' && tls13 ? `TLS_ECDHE_ECDSA_WITH_${tls13[1]}` : tls.cipher;
}

/** An Exim 4.96 message id: seconds (6 base-62 digits), pid (6), fraction (2), e.g. `1xXlBA-0008A1-2Y`. */
function eximId(f: ReceivedFacts): string {
  const [a, b, c, d, e] = idBytes(f.queueId);
  return `${base62(f.date.getTime() / 1000, 6).slice(-6)}-${base62((a << 16) | (b << 8) | c, 6)}-${base62((d << 8) | e, 2).slice(-2)}`;
}

/**
 * Exim ≥4.93 default `received_header_text` as observed from Exim 4.96 (docs/behaviour.md#R-exim) [EX-spec][EX-CL]:
 * ```
 * Received: from [IP] (helo=HELO)
 * 	by HOST with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
 * 	(Exim 4.96)
 * 	(envelope-from <SENDER>)
 * 	id 1xXlBA-0008A1-2Y
 * 	for RCPT;
 * 	DATE
 * ```
 * Note the two spaces after `esmtps`; without TLS: `with esmtp (Exim 4.96)` on one line.
 */
export const eximFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const protocol = f.protocol.toLowerCase();
    const lines = [`Received: from [${f.clientIp}] (helo=${f.helo})`];
    if (f.tls) lines.push(`\tby ${f.by} with ${protocol}  (TLS${versionNumber(f.tls.version)}) tls ${eximCipher(f.tls)}`, '\t(Exim 4.96)');
    else lines.push(`\tby ${f.by} with ${protocol} (Exim 4.96)`);
    lines.push(`\t(envelope-from <${f.mailFrom ?? ''}>)`, `\tid ${eximId(f)}`, `\tfor ${f.recipient};`, `\t${rfc5322DateShortDay(f.date)}`);
    return folded(lines);
  },
};
