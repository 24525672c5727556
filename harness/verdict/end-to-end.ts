/**
 * End-to-end verdict of one message over the whole chain (docs/behaviour.md#end-to-end: E-encrypted and
 * E-verified for the delivered case, E-never-in-clear for the held case):
 * - `leak`: content crossed in clear where the policy in force required TLS. Always a failure.
 * - `encrypted-verified`: delivered, every link `tls-verified`.
 * - `encrypted`: delivered, every link `tls` or `tls-verified`.
 * - `broken`: content crossed at least one link in clear (delivered or not).
 * - `held`: not delivered, and never in clear on any link.
 */
import type { EndToEndName, LinkVerdictName } from '../scenario/schema.js';
import type { MessageLinkVerdict } from './link-verdict.js';

/** Combines a message's per-link verdicts (in chain order) into its end-to-end verdict. */
export function endToEndVerdict(links: readonly MessageLinkVerdict[], delivered: boolean): EndToEndName {
  if (links.some((l) => l.leak)) return 'leak';
  if (links.some((l) => l.crossedInClear)) return 'broken';
  if (!delivered) return 'held';
  const encrypted: LinkVerdictName[] = ['tls', 'tls-verified'];
  if (links.every((l) => l.verdict === 'tls-verified')) return 'encrypted-verified';
  if (links.every((l) => encrypted.includes(l.verdict))) return 'encrypted';
  return 'broken';
}
