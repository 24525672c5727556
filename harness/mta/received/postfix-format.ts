import { cipherBits, folded, opensslCipher, rfc5322Date, type ReceivedWriter } from './received-format.js';

/**
 * Postfix smtpd with `smtpd_tls_received_header = yes` and `smtpd_peername_lookup = no`, as observed from
 * Postfix 3.7 (docs/behaviour.md#R-postfix) [PF-smtpd]:
 * ```
 * Received: from HELO (unknown [IP])
 * 	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
 * 	 key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256)
 * 	(No client certificate requested)
 * 	by HOST (Postfix) with ESMTPS id QID
 * 	for <RCPT>; DATE (UTC)
 * ```
 * The key-exchange group is not visible to a Node server: X25519 is OpenSSL's first choice. The signature is
 * ECDSA (P-256) because mailhop's hop keys are.
 */
export const postfixFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const lines = [`Received: from ${f.helo} (unknown [${f.clientIp}])`];
    if (f.tls) {
      const bits = cipherBits(f.tls.cipher);
      lines.push(`\t(using ${f.tls.version} with cipher ${opensslCipher(f.tls)} (${bits}/${bits} bits)`);
      lines.push('\t key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256)');
      lines.push('\t(No client certificate requested)');
    }
    lines.push(`\tby ${f.by} (Postfix) with ${f.protocol} id ${f.queueId}`);
    lines.push(`\tfor <${f.recipient}>; ${rfc5322Date(f.date)} (UTC)`);
    return folded(lines);
  },
};
