/**
 * tamper-220 (docs/behaviour.md#A-tamper-220): the client's STARTTLS gets `reply` instead of the server's 220: a
 * 5xx (Exim and Postfix `may` then continue in plaintext), or garbage that is no SMTP reply at all.
 *
 * By default the server never sees STARTTLS (it gets NOOP, as in downgrade-454), so a client that
 * continues really can send in plaintext. With `naive: true` STARTTLS reaches the server and its
 * 220 is replaced on the way back: the server then waits for a ClientHello, takes the client's
 * next plaintext command for a broken handshake and drops the session (docs/behaviour.md#A-454, last
 * sentence): the attacker gets a failed session, not plaintext content.
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { answerStarttlsSession } from './answer-starttls.js';
import { attemptsKey, isStarttls, linkKeys, SmtpLine } from './fault-common.js';

export const Tamper220Spec = z.strictObject({
  ...linkKeys,
  fault: z.literal('tamper-220'),
  ...attemptsKey,
  /** What the client gets instead of 220: a reply line such as `554 5.7.0 no`, or any garbage line. */
  reply: SmtpLine.default('502 5.5.1 Error: command not implemented'),
  /** Let STARTTLS reach the server and replace its 220 (the server is left waiting for a handshake). */
  naive: z.boolean().default(false),
});
export type Tamper220Spec = z.output<typeof Tamper220Spec>;

/** @example { from: gateway, to: mailbox, fault: tamper-220, reply: "554 5.7.0 go away" } */
export function tamper220(spec: Pick<Tamper220Spec, 'reply' | 'naive'>): LinkFault {
  if (!spec.naive) return { name: 'tamper-220', open: () => answerStarttlsSession(spec.reply) };
  return {
    name: 'tamper-220',
    open: () => ({
      reply(lines, answering) {
        if (!isStarttls(answering) || !lines[0]?.startsWith('220')) return undefined;
        return { forward: [spec.reply], effect: 'tls-denied', note: `replaced the server's "${lines.join(' ')}" with "${spec.reply}"` };
      },
    }),
  };
}
