/**
 * The envelope of one mail transaction from mailhop's client: MAIL FROM, RCPT TO for each recipient and DATA
 * (RFC 5321 §3.3), one command at a time or, when the client pipelines and the server offers it, as one group
 * (RFC 2920 §3.1: MAIL and RCPT may be followed without waiting, DATA ends the group, replies pair by order).
 */
import { replyLabel, type SmtpClient, type SmtpReply } from './smtp-client.js';

/**
 * Sends the envelope and reads its replies.
 * @param mailLine the whole MAIL FROM command line, parameters included
 * @param recipients the RCPT TO addresses, in order
 * @param pipelines send MAIL, the RCPTs and DATA in one write (the policy's `pipelining`, and PIPELINING in the
 *   server's last EHLO reply)
 * @returns the reply that ends the transaction (MAIL refused, no recipient accepted, DATA refused), or null after a 354
 * @throws MailhopError as SmtpClient.readReply (timeout, connection lost, malformed reply)
 */
export async function sendEnvelope(client: SmtpClient, mailLine: string, recipients: readonly string[], pipelines: boolean): Promise<SmtpReply | null> {
  const rcptLines = recipients.map((rcpt) => `RCPT TO:<${rcpt}>`);
  if (!pipelines) {
    const mail = await client.command(mailLine);
    if (mail.code !== 250) return mail;
    const rcpts: SmtpReply[] = [];
    for (const line of rcptLines) rcpts.push(await client.command(line));
    const refusal = envelopeRefusal(mail, rcpts);
    if (refusal) return refusal;
    const data = await client.command('DATA');
    return data.code === 354 ? null : data;
  }
  const lines = [mailLine, ...rcptLines, 'DATA'];
  client.write(...lines);
  const replies: SmtpReply[] = [];
  for (const line of lines) replies.push(await client.readReply(replyLabel(line)));
  const data = replies[replies.length - 1];
  const refusal = envelopeRefusal(replies[0], replies.slice(1, -1)) ?? (data.code === 354 ? null : data);
  // A server that took DATA for an envelope it refused gets the end of an empty content at once (RFC 2920 §3.1).
  if (refusal && data.code === 354) await client.sendData(Buffer.alloc(0));
  return refusal;
}

/** The reply that ends a transaction before DATA: MAIL refused, or no RCPT accepted (the last refusal); null otherwise. */
function envelopeRefusal(mail: SmtpReply, rcpts: readonly SmtpReply[]): SmtpReply | null {
  if (mail.code !== 250) return mail;
  const accepted = rcpts.some((r) => r.code === 250 || r.code === 251);
  return accepted || rcpts.length === 0 ? null : rcpts[rcpts.length - 1];
}
