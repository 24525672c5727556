/**
 * reset: drops the connection when the client sends a given plaintext command (`after: DATA`):
 * the command never reaches the server, and both sides get a reset (or a FIN with `how: end`).
 * To the client the server died mid-session; what it does next is its retry schedule. Commands
 * inside TLS are invisible to the link, so this acts in the plaintext phase only.
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { verbOf } from '../smtp-syntax.js';
import { attemptsKey, linkKeys } from './fault-common.js';

export const ResetSpec = z.strictObject({
  ...linkKeys,
  fault: z.literal('reset'),
  ...attemptsKey,
  /** The command on which the connection is dropped. */
  after: z.enum(['EHLO', 'HELO', 'STARTTLS', 'MAIL', 'RCPT', 'DATA', 'RSET', 'NOOP', 'QUIT']),
  /** `reset` sends RST, `end` sends FIN. */
  how: z.enum(['reset', 'end']).default('reset'),
});
export type ResetSpec = z.output<typeof ResetSpec>;

/** @example { from: gateway, to: mailbox, fault: reset, after: DATA, attempts: [1] } */
export function reset(spec: Pick<ResetSpec, 'after' | 'how'>): LinkFault {
  return {
    name: 'reset',
    open: () => ({
      command: (line) =>
        verbOf(line) === spec.after ? { forward: [], close: spec.how, note: `${spec.how === 'reset' ? 'reset' : 'closed'} the connection on ${spec.after}` } : undefined,
    }),
  };
}
