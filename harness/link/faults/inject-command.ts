/**
 * inject-command (docs/behaviour.md#A-inject-command, CVE-2011-0411): appends plaintext commands to the client's
 * STARTTLS, in the same TCP segment. A correct server discards what it buffered when it starts TLS
 * (RFC 3207 §4.2; Postfix's vstream_fpurge, smtp-server ignores input while upgrading); a
 * vulnerable one runs them after the handshake as if the client had sent them inside TLS.
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { attemptsKey, isStarttls, linkKeys, SmtpLine } from './fault-common.js';

export const InjectCommandSpec = z.strictObject({
  ...linkKeys,
  fault: z.literal('inject-command'),
  ...attemptsKey,
  /** Command lines appended after STARTTLS, e.g. `RSET` or `MAIL FROM:<attacker@evil.test>`. */
  commands: z.array(SmtpLine).min(1).default(['RSET']),
});
export type InjectCommandSpec = z.output<typeof InjectCommandSpec>;

/** @example { from: gateway, to: mailbox, fault: inject-command, commands: ["MAIL FROM:<attacker@evil.test>"] } */
export function injectCommand(spec: Pick<InjectCommandSpec, 'commands'>): LinkFault {
  return {
    name: 'inject-command',
    open: () => ({
      // The pipeline writes one verdict's lines with a single write: one segment on loopback.
      command: (line) =>
        isStarttls(line) ? { forward: [line, ...spec.commands], note: `appended ${spec.commands.join(', ')} to STARTTLS in one segment` } : undefined,
    }),
  };
}
