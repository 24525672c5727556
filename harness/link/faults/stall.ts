/**
 * stall (docs/behaviour.md#A-stall): after a 220 the link goes silent. With `after: starttls` (default) the
 * 220 to STARTTLS reaches the client and then every TLS byte, both ways, is swallowed: the client's
 * handshake waits until its `timeout` (real ms) and fails, which its policy treats as any failed
 * handshake (A-kill-handshake). With `after: greeting` the greeting arrives and every command after it is
 * swallowed: the client times out waiting for the EHLO reply. The connection stays open until the
 * client gives up.
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { attemptsKey, linkKeys, NOTHING } from './fault-common.js';

export const StallSpec = z.strictObject({
  ...linkKeys,
  fault: z.literal('stall'),
  ...attemptsKey,
  /** Which 220 the silence follows: the reply to STARTTLS, or the greeting. */
  after: z.enum(['starttls', 'greeting']).default('starttls'),
});
export type StallSpec = z.output<typeof StallSpec>;

/** @example { from: client, to: mx, fault: stall } */
export function stall(spec: Pick<StallSpec, 'after'>): LinkFault {
  return {
    name: 'stall',
    open() {
      let recorded = false;
      const once = () => !recorded && (recorded = true);
      if (spec.after === 'greeting') {
        return {
          command: () => ({ forward: [], silent: !once(), note: 'swallowed every command after the greeting' }),
        };
      }
      return {
        tls: (dir) => ({ forward: NOTHING, silent: !once(), effect: 'tls-denied', note: `swallowed the TLS handshake (from ${dir === 'C' ? 'the ClientHello' : 'the server'} on)` }),
      };
    },
  };
}
