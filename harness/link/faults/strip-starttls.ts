/**
 * strip-starttls (docs/behaviour.md#A-strip): deletes the STARTTLS line from the server's EHLO reply. When
 * it was the last line, the line before becomes the last (`250-X` -> `250 X`), so the multiline
 * reply stays valid (RFC 5321 §4.2). A client that follows the reply never tries TLS; the server
 * still would have (RFC 3207 §6 names exactly this attack).
 */
import { z } from 'zod';
import type { LineVerdict, LinkFault } from '../link-fault.js';
import { answersEhlo, attemptsKey, linkKeys } from './fault-common.js';

export const StripStarttlsSpec = z.strictObject({ ...linkKeys, fault: z.literal('strip-starttls'), ...attemptsKey });

const STARTTLS_LINE = /^250[ -]STARTTLS\s*$/i;

/** The EHLO reply without its STARTTLS line, or `undefined` when there is nothing to strip. */
export function withoutStarttls(lines: readonly string[], answering: string | undefined): LineVerdict | undefined {
  if (!answersEhlo(answering)) return undefined;
  // Line 0 is the greeting domain (RFC 5321 §4.1.1.1); keywords follow.
  const at = lines.findIndex((line, i) => i > 0 && STARTTLS_LINE.test(line));
  if (at < 0) return undefined;
  const kept = lines.filter((_, i) => i !== at);
  if (at === lines.length - 1) kept[at - 1] = kept[at - 1].replace(/^(\d{3})-/, '$1 ');
  return { forward: kept, effect: 'tls-denied', note: `removed "${lines[at]}" from the EHLO reply` };
}

/** @example { from: gateway, to: mailbox, fault: strip-starttls } */
export function stripStarttls(): LinkFault {
  return {
    name: 'strip-starttls',
    open: () => ({ reply: (lines, answering) => withoutStarttls(lines, answering) }),
  };
}
