/**
 * The small decisions of mailhop's client: what a reply code means for the message, how its own
 * decisions read as replies, which RFC 8460 result type a certificate error is, whether a failed
 * handshake may be retried in plaintext at once, and what to do with bytes that trail the 220 to STARTTLS.
 */
import type { Outbound, Submit } from '../scenario/schema.js';
import type { SessionEvent, TlsFailureType } from '../trace/events.js';
import type { QueuedMessage } from './relay-target.js';

/** A decision mailhop's client takes itself, written as the reply an MTA would log. */
export function localReply(code: number, enhanced: string, text: string): SessionEvent['reply'] {
  return { code, enhanced, text: `${code} ${enhanced} ${text}` };
}

/** What a server's reply code means for the message: 2xx relayed, 5xx bounced, else deferred (RFC 5321 §4.2.1). */
export function byCode(code: number): SessionEvent['result'] {
  if (code >= 200 && code < 300) return 'relayed';
  return code >= 500 ? 'bounced' : 'deferred';
}

/** Maps Node's certificate error codes to RFC 8460 §4.3.1 result types. */
export function certificateFailureType(code: string | undefined): TlsFailureType {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'certificate-expired';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'certificate-host-mismatch';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'certificate-not-trusted';
    default:
      return 'validation-failure';
  }
}

/** May an opportunistic client retry this message in plaintext right after a failed handshake? */
export function plaintextRetryAllowed(policy: Outbound | Submit, message: QueuedMessage, now: number): boolean {
  if (policy.tls !== 'opportunistic' && policy.tls !== 'preserve-inbound') return false;
  switch (policy.fallback) {
    case 'reconnect':
      return true;
    case 'next-attempt':
      // Postfix: plaintext after a TLS failure only once the message was minimal_backoff_time old when this delivery
      // began (HISTORY 20140218; PREACTIVE_DELAY in smtp.h); `now` is that start.
      return now - message.arrivedAt >= policy.fallbackAfter;
    case 'never':
      return false;
  }
}


/** Bytes that trailed the 220 to STARTTLS (octets) and a `starttlsTrailingData` that does not discard them. */
export interface TrailingData {
  octets: number;
  handling: 'handshake-failure' | 'defer';
}

/**
 * What the policy does with `octets` bytes read after the 220 to STARTTLS, before the handshake
 * (docs/behaviour.md#A-inject-response): null when there are none, or when it discards them (`discard`, the default,
 * and every policy that takes no such key), which startTls then does (RFC 3207 §4.2).
 */
export function trailingData(policy: Outbound | Submit, octets: number): TrailingData | null {
  const handling = trailingHandling(policy);
  return handling === 'discard' || handling === 'keep' || octets === 0 ? null : { octets, handling };
}

/**
 * What startTls does with the bytes read before the handshake: `keep` them as replies inside TLS under
 * `starttlsTrailingData: keep` (the vulnerable behaviour), else `discard` them (RFC 3207 §4.2).
 */
export function preTlsBytes(policy: Outbound | Submit): 'discard' | 'keep' {
  return trailingHandling(policy) === 'keep' ? 'keep' : 'discard';
}

function trailingHandling(policy: Outbound | Submit): NonNullable<Extract<Outbound, { tls: 'opportunistic' }>['starttlsTrailingData']> {
  return ('starttlsTrailingData' in policy && policy.starttlsTrailingData) || 'discard';
}
