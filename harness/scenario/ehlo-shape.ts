/**
 * The shape of a mock hop's EHLO reply (`inbound.ehlo`), so that capability-parsing bugs in clients can be reproduced
 * against a server that says the same things in a form real servers use. RFC 5321 §2.4 makes extension keywords case
 * insensitive, §4.1.1.1 gives no order to the keyword lines, and RFC 4954 §4 has AUTH's parameters after a space; the
 * `AUTH=` line is the pre-RFC 2554 form some old clients looked for (Postfix's `broken_sasl_auth_clients` advertises AUTH
 * "in a non-standard way" for them, postconf(5)).
 * The server's meaning never changes: what it lists it takes, in any shape (mta/ehlo-shape.ts writes it).
 */
import { z } from 'zod';

/**
 * How a hop's EHLO reply is written; every key absent means smtp-server's own reply (upper case, STARTTLS before SIZE,
 * one space between words, `AUTH PLAIN LOGIN`):
 * - `starttlsLast`: STARTTLS on the reply's last line (`250 STARTTLS`), where a client that only reads `250-` lines
 *   misses it;
 * - `keywordCase: lower`: every keyword in lower case (`250-starttls`, `250-auth PLAIN LOGIN`);
 * - `extraSpaces`: two spaces between a keyword and each parameter (`250-AUTH  PLAIN  LOGIN`, `250-SIZE  10485760`);
 * - `trailingSpace`: a space after each keyword line's last word (`250-STARTTLS `), which RFC 5321 §4.1.1.1's
 *   ehlo-line grammar has no room for, yet servers send;
 * - `authEquals`: `also` adds `AUTH=PLAIN LOGIN` after the `AUTH PLAIN LOGIN` line, `only` writes that form alone.
 * @example { starttlsLast: true, keywordCase: lower, extraSpaces: true, trailingSpace: true, authEquals: also }
 */
export const EhloShape = z.strictObject({
  starttlsLast: z.boolean().optional(),
  keywordCase: z.enum(['upper', 'lower']).optional(),
  extraSpaces: z.boolean().optional(),
  trailingSpace: z.boolean().optional(),
  authEquals: z.enum(['also', 'only']).optional(),
});
export type EhloShape = z.output<typeof EhloShape>;
