import { cipherBits, folded, forAndDate, opensslCipher, receivedDate, versionNumber, type ReceivedWriter } from './received-format.js';

/**
 * Postfix smtpd with `smtpd_tls_received_header = yes` and `smtpd_peername_lookup = no`, as observed with
 * Postfix 3.7.11 receiving over TLS 1.3, TLS 1.2 and in plaintext with mailhop's ECDSA P-256 keys
 * (docs/behaviour.md#R-postfix, test/engines/received-exact.test.ts) [PF-smtpd]:
 * ```
 * Received: from HELO (unknown [IP])
 * 	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
 * 	 key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256)
 * 	(No client certificate requested)
 * 	by HOST (Postfix) with ESMTPS id QID
 * 	for <RCPT>; Sun,  6 Dec 2026 23:55:49 +0000 (UTC)
 * ```
 * Under TLS 1.2 the comment closes on the `using` line, with no key-exchange line:
 * `(using TLSv1.2 with cipher ECDHE-ECDSA-AES128-GCM-SHA256 (128/128 bits))`. The day of the month is padded
 * with a space (`Sun,  6 Dec`). Several recipients: no `for` clause (received-format.ts `forAndDate`). The
 * key-exchange group is not visible to a Node server: X25519 is what OpenSSL and Node clients offer first.
 * `prime256v1` is OpenSSL's name for the P-256 curve of mailhop's hop keys.
 */
export const postfixFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const lines = [`Received: from ${f.helo} (unknown [${f.clientIp}])`];
    if (f.tls) {
      const bits = cipherBits(f.tls.cipher);
      const using = `\t(using ${f.tls.version} with cipher ${opensslCipher(f.tls)} (${bits}/${bits} bits)`;
      if (versionNumber(f.tls.version) === '1.3') {
        lines.push(using, '\t key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256)');
      } else {
        lines.push(`${using})`);
      }
      lines.push('\t(No client certificate requested)');
    }
    lines.push(`\tby ${f.by} (Postfix) with ${f.protocol} id ${f.queueId}`);
    return folded(forAndDate(f, lines, `for <${f.recipient}>`, `${receivedDate(f.date, 'space')} (UTC)`, true));
  },
};
