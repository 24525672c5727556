/**
 * inject-response (docs/behaviour.md#A-inject-response): appends plaintext reply lines after the server's 220 to
 * STARTTLS, in the same segment. A vulnerable client reads them as the answer to its first command
 * inside TLS (e.g. a fake post-TLS EHLO reply); a correct one discards everything buffered before
 * the handshake (RFC 3207 §4.2).
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { attemptsKey, isStarttls, linkKeys, SmtpLine } from './fault-common.js';

export const InjectResponseSpec = z.strictObject({
  ...linkKeys,
  fault: z.literal('inject-response'),
  ...attemptsKey,
  /** Lines appended after the 220. */
  lines: z.array(SmtpLine).min(1).default(['250-evil.mailhop.test', '250 AUTH PLAIN']),
});
export type InjectResponseSpec = z.output<typeof InjectResponseSpec>;

/** @example { from: client, to: mx, fault: inject-response } */
export function injectResponse(spec: Pick<InjectResponseSpec, 'lines'>): LinkFault {
  return {
    name: 'inject-response',
    open: () => ({
      reply(lines, answering) {
        if (!isStarttls(answering) || !lines[0]?.startsWith('220')) return undefined;
        // A client that reads the lines before its handshake gives TLS up on this connection (real Exim 4.96 logs
        // "synch error before connect" and reconnects in clear): plaintext that follows is this fault's doing. A
        // client that discards them (RFC 3207 §4.2) stays on TLS, and the effect then changes no verdict.
        return { forward: [...lines, ...spec.lines], effect: 'tls-denied', note: `appended ${spec.lines.join(' / ')} to the 220 in one segment` };
      },
    }),
  };
}
