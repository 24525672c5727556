/**
 * One line per connection of the application under test (verdict/app-sender.ts), from its wire record alone: what
 * a QA reader needs to see that an app refused to send, or what it sent in clear.
 */
import type { WireRecord } from '../link/wire-record.js';

/**
 * What one connection of the application did, as the wire saw it, in one line, e.g.
 * `connection 1: STARTTLS offered · STARTTLS 220 · TLS TLSv1.3 · content not in clear` or
 * `connection 1: STARTTLS not offered · last command in clear QUIT · no content`.
 */
export function appConnectionNote(record: WireRecord, n: number): string {
  const parts: string[] = [];
  if (record.implicitTls) parts.push('implicit TLS');
  else {
    parts.push(record.starttlsAdvertised ? 'STARTTLS offered' : 'STARTTLS not offered');
    if (record.starttlsSent) parts.push(record.starttlsReply ? `STARTTLS ${record.starttlsReply.code} ${record.starttlsReply.text.split('\n')[0]}`.trim() : 'STARTTLS sent, no reply');
  }
  if (record.handshake === 'established') parts.push(`TLS ${record.tls?.version ?? ''}`.trim());
  else if (record.handshake !== 'none') parts.push(`handshake ${record.handshake}${record.handshakeFailure ? ` (${record.handshakeFailure})` : ''}`);
  // Where the application stopped, when it never got to TLS (after TLS the last command in clear is STARTTLS).
  const last = record.commands.at(-1);
  if (last && record.handshake !== 'established') parts.push(`last command in clear ${last.verb}`);
  parts.push(record.plaintextData ? 'content in clear' : record.handshake === 'established' || record.implicitTls ? 'content not in clear' : 'no content');
  return `connection ${n}: ${parts.join(' · ')}`;
}
