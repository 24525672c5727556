import { cipherBits, folded, idBytes, opensslCipher, rfc5322Date, type ReceivedWriter } from './received-format.js';

/** A stable `server-N.bemta-M.messagelabs.com` for a hop, so every message through it names the same server. */
function messagelabsHost(hostname: string): string {
  let h = 0;
  for (const ch of hostname) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `server-${1 + (h % 30)}.bemta-${1 + ((h >>> 8) % 40)}.messagelabs.com`;
}

/**
 * MessageLabs / Broadcom Email Security.cloud (docs/behaviour.md#R-messagelabs): **no `with` clause at all**; TLS only in
 * the `(using ...)` comment, whose bits are a single number:
 * ```
 * Received: from [IP] (using TLSv1.2 with cipher DHE-RSA-AES256-GCM-SHA384 (256 bits))
 * 	by server-15.bemta-12.messagelabs.com id 48/14-02578-1AB2C345; DATE
 * ```
 * Without TLS: `Received: from [IP] by server-N.bemta-M.messagelabs.com id ...; DATE`.
 */
export const messagelabsFormat: ReceivedWriter = {
  byHost: messagelabsHost,
  write(f) {
    const [a, b, c, d] = idBytes(f.queueId);
    const id = `${10 + (a % 90)}/${10 + (b % 90)}-${String(((c << 8) | d) % 100_000).padStart(5, '0')}-${f.queueId.slice(0, 8).padEnd(8, '0')}`;
    const by = `by ${messagelabsHost(f.by)} id ${id}; ${rfc5322Date(f.date)}`;
    if (!f.tls) return folded([`Received: from [${f.clientIp}]`, `\t${by}`]);
    return folded([
      `Received: from [${f.clientIp}] (using ${f.tls.version} with cipher ${opensslCipher(f.tls)} (${cipherBits(f.tls.cipher)} bits))`,
      `\t${by}`,
    ]);
  },
};
