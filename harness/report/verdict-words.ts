/**
 * The plain-language meaning of each verdict, worded as the README defines them, for renderers that
 * explain rather than tabulate (matcher messages, `mailhop explain`, HTML tooltips). Wording only:
 * the verdicts themselves come from verdict/.
 */
import type { EndToEndName, LinkVerdictName, OutcomeName } from '../scenario/schema.js';

/** What a link verdict means, as the end of a sentence ("… was downgraded: <meaning>"). */
export const LINK_VERDICT_MEANING = {
  'tls-verified': 'delivered over TLS under a policy that checks the certificate (verify, or DANE), so a bad certificate would have stopped it',
  tls: 'delivered over TLS, but the certificate was not enforced, so an interceptor would have gone unnoticed',
  downgraded: 'delivered in plaintext although STARTTLS was tried (refused, failed handshake, or an eNULL suite)',
  plain: 'delivered in plaintext; STARTTLS was not tried (not offered, or the sender\'s policy chose plaintext)',
  stripped: 'delivered in plaintext because a fault on the link kept TLS from being used, not because of the servers',
  refused: 'attempted, but policy, replies or a lost connection stopped the message before its content crossed',
  none: 'the message never reached this link',
} satisfies Record<LinkVerdictName, string>;

/** What an end-to-end verdict means. */
export const END_TO_END_MEANING: Record<EndToEndName, string> = {
  'encrypted-verified': 'delivered, and every link was TLS with a verified certificate',
  encrypted: 'delivered, and every link was TLS',
  broken: 'the content crossed at least one link in clear',
  held: 'not delivered, and never in clear on any link',
  leak: 'the content crossed a link in clear where the policy in force required TLS, or broke the REQUIRETLS promise it was sent with',
};

/** What a delivery outcome means. */
export const OUTCOME_MEANING: Record<OutcomeName, string> = {
  delivered: 'stored in the final mailbox',
  deferred: 'still queued when the run ended',
  bounced: 'given up by a hop, with a DSN to the sender',
  rejected: 'refused by the first hop',
};

/** Link verdicts under which the content crossed encrypted. */
export const ENCRYPTED_LINK_VERDICTS: readonly LinkVerdictName[] = ['tls', 'tls-verified'];

/** End-to-end verdicts under which TLS held on every link. */
export const ENCRYPTED_END_TO_END: readonly EndToEndName[] = ['encrypted', 'encrypted-verified'];
