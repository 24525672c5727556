/**
 * downgrade-454 (docs/behaviour.md#A-454): the proxy answers the client's STARTTLS with
 * `454 4.7.0 TLS not available due to temporary reason` itself, sends NOOP to the server instead,
 * and keeps both ends in plaintext. RFC 3207 §4 leaves the client to decide whether to go on:
 * Postfix `may`, Exim and Sendmail continue in plaintext on the same connection.
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { answerStarttlsSession } from './answer-starttls.js';
import { attemptsKey, linkKeys } from './fault-common.js';

export const Downgrade454Spec = z.strictObject({
  ...linkKeys,
  fault: z.literal('downgrade-454'),
  ...attemptsKey,
  /** The 4xx reply line the client gets. */
  reply: z
    .string()
    .regex(/^4\d\d(?: [\x20-\x7e]*)?$/, 'must be one 4xx reply line, e.g. "454 4.7.0 TLS not available due to temporary reason"')
    .default('454 4.7.0 TLS not available due to temporary reason'),
});
export type Downgrade454Spec = z.output<typeof Downgrade454Spec>;

/** @example { from: client, to: mx, fault: downgrade-454 } */
export function downgrade454(spec: Pick<Downgrade454Spec, 'reply'>): LinkFault {
  return { name: 'downgrade-454', open: () => answerStarttlsSession(spec.reply) };
}
