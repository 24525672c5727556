import { cipherBits, folded, forAndDate, opensslCipher, rfc5322DateShortDay, type ReceivedWriter } from './received-format.js';

/**
 * OpenSMTPD (smtp_session.c) [OSMTPD]; the plaintext form as observed (docs/behaviour.md#R-opensmtpd), the TLS form as public
 * list archives show it (OpenSMTPD inbound TLS of the observed build was broken):
 * ```
 * Received: from HELO (localhost [IP])
 * 	by HOST (OpenSMTPD) with ESMTPS id 47651fb4 (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)
 * 	for <RCPT>;
 * 	Mon, 3 Mar 2025 08:47:43 +0000 (UTC)
 * ```
 * The last TLS field is client-certificate verification; mailhop's clients present none (`NO`). Several recipients:
 * no `for` line, `... id X;` (observed in plaintext; received-format.ts `forAndDate`).
 */
export const opensmtpdFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const id = f.queueId.slice(0, 8).toLowerCase().padEnd(8, '0');
    const tls = f.tls ? ` (${f.tls.version}:${opensslCipher(f.tls)}:${cipherBits(f.tls.cipher)}:NO)` : '';
    const rdns = f.clientIp.startsWith('127.') ? 'localhost' : 'unknown';
    const lines = [`Received: from ${f.helo} (${rdns} [${f.clientIp}])`, `\tby ${f.by} (OpenSMTPD) with ${f.protocol} id ${id}${tls}`];
    return folded(forAndDate(f, lines, `for <${f.recipient}>`, `${rfc5322DateShortDay(f.date)} (UTC)`, false));
  },
};
