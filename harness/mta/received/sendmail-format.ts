import { cipherBits, folded, forAndDate, idBytes, opensslCipher, receivedDate, type ReceivedFacts, type ReceivedWriter } from './received-format.js';

/** sendmail's queue-id alphabet: base 60 (sendmail/queue.c QueueIdChars). */
const BASE60 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx';

/** A sendmail 8.x queue id: year-1900, month, day, hour, minute, second in base 60, two sequence chars, a pid. */
function sendmailId(f: ReceivedFacts): string {
  const d = f.date;
  const stamp = [d.getUTCFullYear() - 1900, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const [a, b, c, e, g] = idBytes(f.queueId);
  const pid = String(((c << 16) | (e << 8) | g) % 1_000_000).padStart(6, '0');
  return stamp.map((n) => BASE60[n % 60]).join('') + BASE60[a % 60] + BASE60[b % 60] + pid;
}

/**
 * sendmail 8.17 (cf macro `_REC_TLS_`) as observed with Sendmail 8.17.1.9 receiving over TLS 1.3, TLS 1.2 and in
 * plaintext (docs/behaviour.md#R-sendmail, test/engines/received-exact.test.ts) [SM-cfhead]:
 * ```
 * Received: from HELO (localhost [IP])
 * 	by HOST (8.17.1.9/8.17.1.9) with ESMTPS id 6B6NuN2Y012878
 * 	(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)
 * 	for <RCPT>; Sun, 6 Dec 2026 23:56:23 GMT
 * ```
 * The day of the month has no padding (`Sun, 6 Dec`) and UTC is written `GMT` (sendmail's arpadate). Several
 * recipients: no `for` clause (received-format.ts `forAndDate`).
 * `verify=` is the client-certificate result; mailhop's clients present none, hence `NO` (`NOT`, seen in
 * some archived headers, means not requested; the observed sendmail asked).
 */
export const sendmailFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const rdns = f.clientIp.startsWith('127.') ? 'localhost ' : '';
    const lines = [`Received: from ${f.helo} (${rdns}[${f.clientIp}])`, `\tby ${f.by} (8.17.1.9/8.17.1.9) with ${f.protocol} id ${sendmailId(f)}`];
    if (f.tls) {
      lines.push(`\t(version=${f.tls.version} cipher=${opensslCipher(f.tls)} bits=${cipherBits(f.tls.cipher)} verify=NO)`);
    }
    return folded(forAndDate(f, lines, `for <${f.recipient}>`, receivedDate(f.date, 'none', 'GMT'), true));
  },
};
