import { cipherBits, folded, rfc5322Date, type ReceivedWriter } from './received-format.js';

/**
 * mailhop's own header (no preset): Postfix-like, with the `(using ... with cipher ...)` comment of
 * `smtpd_tls_received_header = yes` on one line and the IANA suite name (docs/behaviour.md#R-mailhop).
 */
export const mailhopFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const lines = [`Received: from ${f.helo} (${f.helo} [${f.clientIp}])`];
    if (f.tls) {
      const bits = cipherBits(f.tls.cipher);
      lines.push(`\t(using ${f.tls.version} with cipher ${f.tls.cipher} (${bits}/${bits} bits))`);
    }
    lines.push(`\tby ${f.by} (mailhop) with ${f.protocol} id ${f.queueId}`);
    lines.push(`\tfor <${f.recipient}>; ${rfc5322Date(f.date)}`);
    return folded(lines);
  },
};
