/**
 * Writes the trace header a hop prepends (RFC 5321 §4.4) in the format its `inbound.received` names
 * (received/: one file per product, docs/behaviour.md#received). The default `mailhop` format is
 * Postfix-like, with the RFC 3848 transmission type (`ESMTP`, `ESMTPS`) and Postfix's TLS comment.
 */
import type { ReceivedFormat } from '../scenario/schema.js';
import { RECEIVED_WRITERS } from './received/index.js';
import type { ReceivedFacts } from './received/received-format.js';

export type { ReceivedFacts } from './received/received-format.js';
export { cipherBits, rfc5322Date } from './received/received-format.js';
export { headerValue, headerValues } from './header-fields.js';

/**
 * The header in `format` (default `mailhop`), folded with the product's whitespace, ending in CRLF.
 * @example receivedHeader(facts, 'exim') // 'Received: from [127.0.0.1] (helo=a.mailhop.test)\r\n\tby b.mailhop.test with esmtps  (TLS1.3) ...'
 */
export function receivedHeader(f: ReceivedFacts, format: ReceivedFormat = 'mailhop'): string {
  return RECEIVED_WRITERS[format].write(f);
}

/** The name a hop with this format writes after `by` (its hostname, or its service's host: MessageLabs, Gmail). */
export function receivedByHost(hostname: string, format: ReceivedFormat = 'mailhop'): string {
  return RECEIVED_WRITERS[format].byHost(hostname);
}
