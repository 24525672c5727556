import { cipherBits, folded, idBytes, opensslCipher, rfc5322DateShortDay, versionNumber, type ReceivedFacts, type ReceivedWriter } from './received-format.js';

/** A Gmail SMTP id: `<hex>si<digits>.<n>.<YYYY>.<MM>.<DD>.<hh>.<mm>.<ss>`. */
function gmailId(f: ReceivedFacts): string {
  const d = f.date;
  const [a, b, c] = idBytes(f.queueId);
  const two = (n: number) => String(n).padStart(2, '0');
  const when = [d.getUTCFullYear(), two(d.getUTCMonth() + 1), two(d.getUTCDate()), two(d.getUTCHours()), two(d.getUTCMinutes()), two(d.getUTCSeconds())];
  return `${f.queueId.toLowerCase()}si${(a << 16) | (b << 8) | c}.${1 + (a % 200)}.${when.join('.')}`;
}

/**
 * mx.google.com (docs/behaviour.md#R-gmail):
 * ```
 * Received: from HELO (localhost. [IP])
 *         by mx.google.com with ESMTPS id 0a1b2c3d4esi123456.12.2026.11.29.20.07.20
 *         for <RCPT>
 *         (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
 *         DATE
 * ```
 * Without TLS the `(version=...)` comment is absent and the protocol is ESMTP. Dates are written in UTC here
 * (Gmail uses Pacific time).
 */
export const gmailFormat: ReceivedWriter = {
  byHost: () => 'mx.google.com',
  write(f) {
    const rdns = f.clientIp.startsWith('127.') ? 'localhost.' : `${f.helo}.`;
    const lines = [`Received: from ${f.helo} (${rdns} [${f.clientIp}])`, `        by mx.google.com with ${f.protocol} id ${gmailId(f)}`];
    const date = `        ${rfc5322DateShortDay(f.date)} (UTC)`;
    if (!f.tls) return folded([...lines, `        for <${f.recipient}>;`, date]);
    const bits = cipherBits(f.tls.cipher);
    const version = `TLS${versionNumber(f.tls.version).replace('.', '_')}`;
    return folded([...lines, `        for <${f.recipient}>`, `        (version=${version} cipher=${opensslCipher(f.tls)} bits=${bits}/${bits});`, date]);
  },
};
