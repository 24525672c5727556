/**
 * Replies as engines log them, turned into the `{ code, enhanced, text }` shape deferred and bounced
 * events carry, the shape a mock sender gives them (mta/session-decisions.ts). Engines log either the
 * next hop's own reply, quoted inside a line of their own (Postfix `host ... said: 530 5.7.0 ... (in reply
 * to MAIL FROM command)`, Sendmail `reply=530 5.7.0 ...`, Exim `SMTP error from remote mail server after
 * MAIL FROM:<...>: 530 5.7.0 ...`, OpenSMTPD `stat="530 5.7.0 ..."`), or a reason of their own with a DSN
 * code (Postfix `dsn=4.7.5 ... (Cannot start TLS: handshake failure)`).
 */
export interface LoggedReply {
  /** The SMTP reply code (RFC 5321 §4.2), e.g. 530. */
  code: number;
  /** The enhanced status code (RFC 3463), e.g. `5.7.0`. */
  enhanced?: string;
  /** The next hop's reply line as the engine quoted it (`530 5.7.0 Must issue a STARTTLS command first`), or the engine's own reason. */
  text: string;
}

/** What one log line says about a delivery's outcome. */
export interface LoggedOutcome {
  /** The next hop's reply as the engine quoted it, starting with its code; absent when the engine gives a reason of its own. */
  serverReply?: string;
  /** The engine's own words for the outcome (its whole reason, the quoted reply included), e.g. `Cannot start TLS: handshake failure`. */
  reason?: string;
  /** The log line (its `dsn=` field, when it has one, gives the enhanced code of a reason of the engine's own). */
  line: string;
}

/** `530 5.7.0 text` or `530-5.7.0 text` or `530 text`: the code and the enhanced code at the start of a reply line. */
const REPLY_START = /^([245]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3})(?=\s|$))?(?:[ -]|$)/;

/** Whether `text` starts like an SMTP reply line (RFC 5321 §4.2: three digits, then a space, a hyphen or the end). */
export function isReplyLine(text: string): boolean {
  return REPLY_START.test(text.trim());
}

/**
 * The reply of a deferred or bounced event. The next hop's reply, when the engine quoted one, gives the code,
 * the enhanced code (else the line's `dsn=`) and the text exactly as logged; otherwise the engine's reason
 * (or its own reply-shaped status, Sendmail's `454 4.7.0 TLS handshake failed.`) with the line's `dsn=` code.
 * @param fallbackCode the code when no reply line gives one: 451 deferred, 554 bounced, 250 relayed.
 * @example replyFromLog({ serverReply: '530 5.7.0 Must issue a STARTTLS command first', line }, 554)
 *   // { code: 530, enhanced: '5.7.0', text: '530 5.7.0 Must issue a STARTTLS command first' }
 */
export function replyFromLog(logged: LoggedOutcome, fallbackCode: number): LoggedReply {
  const text = (logged.serverReply ?? logged.reason ?? '').trim() || logged.line.trim();
  const start = REPLY_START.exec(text);
  const dsn = /\bdsn=([245]\.\d{1,3}\.\d{1,3})/.exec(logged.line)?.[1];
  const enhanced = start?.[2] ?? dsn;
  return { code: start ? Number(start[1]) : fallbackCode, ...(enhanced ? { enhanced } : {}), text };
}
