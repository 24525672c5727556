import { folded, rfc5322DateShortDay, versionNumber, type ReceivedWriter } from './received-format.js';

/**
 * Exchange / Exchange Online Protection (docs/behaviour.md#R-exchange), folded with one space as Exchange does:
 * ```
 * Received: from HELO (IP) by HOST
 *  (IP) with Microsoft SMTP Server (version=TLS1_3,
 *  cipher=TLS_AES_256_GCM_SHA384) id 15.20.8769.21 via Frontend Transport; DATE
 * ```
 * There is no ESMTPS keyword: TLS shows only in the comment. Without TLS: `with Microsoft SMTP Server id ...`.
 */
export const exchangeFormat: ReceivedWriter = {
  byHost: (hostname) => hostname,
  write(f) {
    const head = `Received: from ${f.helo} (${f.clientIp}) by ${f.by}`;
    const server = `(${f.serverIp ?? f.clientIp})`;
    const tail = `id 15.20.8769.21 via Frontend Transport; ${rfc5322DateShortDay(f.date)}`;
    if (!f.tls) return folded([head, ` ${server} with Microsoft SMTP Server ${tail}`]);
    const version = `TLS${versionNumber(f.tls.version).replace('.', '_')}`;
    return folded([head, ` ${server} with Microsoft SMTP Server (version=${version},`, ` cipher=${f.tls.cipher}) ${tail}`]);
  },
};
