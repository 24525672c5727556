/**
 * mask-starttls (docs/behaviour.md#A-mask, Cisco ESMTP inspection): a same-length substitution instead of
 * a deletion. `250-STARTTLS` in the EHLO reply becomes `250-XXXXXXXA`, and a client that sends
 * STARTTLS anyway has its verb masked the same way, so the server answers it with 500 (unknown
 * command) and both ends stay in plaintext.
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { answersEhlo, attemptsKey, isStarttls, linkKeys } from './fault-common.js';

export const MaskStarttlsSpec = z.strictObject({ ...linkKeys, fault: z.literal('mask-starttls'), ...attemptsKey });

/** What Cisco writes over the 8 letters of STARTTLS. */
export const MASK = 'XXXXXXXA';

/** @example { from: sendmail, to: gateway, fault: mask-starttls } */
export function maskStarttls(): LinkFault {
  return {
    name: 'mask-starttls',
    open: () => ({
      reply(lines, answering) {
        if (!answersEhlo(answering)) return undefined;
        const at = lines.findIndex((line, i) => i > 0 && /^250[ -]STARTTLS\s*$/i.test(line));
        if (at < 0) return undefined;
        const masked = lines.map((line, i) => (i === at ? line.replace(/^(250[ -])STARTTLS/i, `$1${MASK}`) : line));
        return { forward: masked, effect: 'tls-denied', note: `masked "${lines[at]}" as "${masked[at]}" in the EHLO reply` };
      },
      command(line) {
        if (!isStarttls(line)) return undefined;
        return { forward: [MASK], effect: 'tls-denied', note: `masked the client's STARTTLS as ${MASK}` };
      },
    }),
  };
}
