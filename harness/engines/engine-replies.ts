/**
 * Replies as engines log them, turned into the `{ code, enhanced, text }` shape deferred and
 * bounced events carry. Engines log either the remote reply (`host ... said: 454 4.7.0 ...`,
 * `C="250 ..."`) or a reason of their own with a DSN code (`dsn=4.7.5 ... (Cannot start TLS: ...)`).
 */
export interface LoggedReply {
  code: number;
  enhanced?: string;
  text: string;
}

/** @param fallbackCode used when neither the text nor the line carries a reply code (451 deferred, 554 bounced, 250 relayed). */
export function replyFromLog(text: string, line: string, fallbackCode: number): LoggedReply {
  const remote = /(?:^|said: |C=")([245]\d\d)[ -](?:([245]\.\d{1,3}\.\d{1,3}) )?/.exec(text);
  const dsn = /\bdsn=([245]\.\d{1,3}\.\d{1,3})/.exec(line)?.[1];
  const enhanced = remote?.[2] ?? dsn;
  return { code: remote ? Number(remote[1]) : fallbackCode, ...(enhanced ? { enhanced } : {}), text: text.trim() || line.trim() };
}
