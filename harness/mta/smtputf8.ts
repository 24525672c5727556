/**
 * What a relaying client does with internationalised mail (RFC 6531, SMTPUTF8): a message whose envelope
 * addresses or header fields (RFC 6532) are not ASCII goes only to a server that advertised SMTPUTF8, with the
 * `SMTPUTF8` parameter on MAIL FROM and the command lines in UTF-8. Everything else stays as RFC 5321 says.
 * And what a mock hop refuses: a non-ASCII mailbox in a transaction that did not declare SMTPUTF8.
 */
import type { SMTPServerAddress } from 'smtp-server';
import type { SmtpReply } from './smtp-client.js';

/** Any byte or character outside US-ASCII. */
const NON_ASCII = /[^\x00-\x7f]/;

/** The header section of a raw message (up to the first empty line), byte for byte. */
function headerSection(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = [crlf, lf].filter((i) => i >= 0).sort((a, b) => a - b)[0];
  return end === undefined ? raw : raw.subarray(0, end);
}

/**
 * Does this message need SMTPUTF8 (RFC 6531 §3.2)? True when the envelope sender, a recipient, or a
 * header field carries anything but ASCII; a non-ASCII body alone is 8BITMIME's business, not SMTPUTF8's.
 * @example needsSmtpUtf8({ from: 'josé@exämple.test', to: ['bob@partner.test'], raw }) // true
 */
export function needsSmtpUtf8(message: { from: string; to: readonly string[]; raw: Buffer }): boolean {
  if ([message.from, ...message.to].some((a) => NON_ASCII.test(a))) return true;
  return headerSection(message.raw).some((byte) => byte > 0x7f);
}

/** Whether an EHLO reply lists `keyword` (the first line is the greeting domain, RFC 5321 §4.1.1.1). */
export function advertises(ehlo: SmtpReply, keyword: string): boolean {
  const re = new RegExp(`^${keyword}\\b`, 'i');
  return ehlo.lines.slice(1).some((l) => re.test(l));
}

/** `MAIL FROM:<from>`, with the `SMTPUTF8` parameter when the message needs it (RFC 6531 §3.4). */
export function mailFromCommand(from: string, smtpUtf8: boolean): string {
  return `MAIL FROM:<${from}>${smtpUtf8 ? ' SMTPUTF8' : ''}`;
}

/**
 * The client's own permanent failure when the next hop lacks SMTPUTF8: RFC 6531 §3.2 forbids sending the
 * message (an MTA must reject it or return a non-delivery report instead, never downgrade it on its own),
 * and the enhanced status code is X.6.7, "non-ASCII addresses not permitted for that sender/recipient"
 * (RFC 6531 §3.5, registered by RFC 5248; the DSN of RFC 6533 carries it).
 */
export function smtpUtf8Refused(servername: string): { code: number; enhanced: string; text: string } {
  return { code: 553, enhanced: '5.6.7', text: `553 5.6.7 non-ASCII address not permitted: ${servername} does not support SMTPUTF8` };
}

/**
 * RFC 6531 §3.4: a non-ASCII mailbox is only allowed in a transaction whose MAIL FROM carried the
 * SMTPUTF8 parameter; smtp-server itself would accept it. Postfix answers `553 5.6.7 Must declare
 * SMTPUTF8 to send unicode address`; smtp-server 3.21 puts its own enhanced code for 553 (5.1.3)
 * before an error's text and offers no way to choose it, so the reply reads `553 5.1.3 Must
 * declare SMTPUTF8 ...`: the same refusal, the registry's 5.6.7 (RFC 6531 §3.7.1) only in Postfix.
 */
export function unicodeWithoutSmtputf8(address: SMTPServerAddress, mailFrom: SMTPServerAddress): Error | undefined {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(address.address)) return undefined;
  const args = (mailFrom.args || {}) as Record<string, unknown>;
  if (Object.keys(args).some((k) => k.toUpperCase() === 'SMTPUTF8')) return undefined;
  return Object.assign(new Error('Must declare SMTPUTF8 to send unicode address'), { responseCode: 553 });
}
