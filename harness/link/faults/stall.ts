/**
 * stall (docs/behaviour.md#A-stall): after a 220 the link goes silent. With `after: starttls` (default) the
 * 220 to STARTTLS reaches the client and then every TLS byte, both ways, is swallowed: the client's
 * handshake waits until its `starttlsTimeout` (else `timeout`) and fails, which its policy treats as any failed
 * handshake (A-kill-handshake). With `after: greeting` the greeting arrives and every command after it is
 * swallowed: the client times out waiting for the EHLO reply. The connection stays open until the
 * client gives up. The fault tells the chain when it swallows its first bytes (`FaultEnv.stalled`): a mock
 * hop's client then waits on the chain's virtual clock, since only mailhop makes that silence last.
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { attemptsKey, linkKeys, NOTHING, type FaultEnv } from './fault-common.js';

export const StallSpec = z.strictObject({
  ...linkKeys,
  fault: z.literal('stall'),
  ...attemptsKey,
  /** Which 220 the silence follows: the reply to STARTTLS, or the greeting. */
  after: z.enum(['starttls', 'greeting']).default('starttls'),
});
export type StallSpec = z.output<typeof StallSpec>;

/**
 * @param env where the chain hears that a connection is silenced (`stalled`); without it nobody is told
 * @example { from: client, to: mx, fault: stall }
 */
export function stall(spec: Pick<StallSpec, 'after'>, env: Pick<FaultEnv, 'stalled'> = {}): LinkFault {
  return {
    name: 'stall',
    open(context) {
      let silenced = false;
      // The first swallowed unit is recorded, and silences the connection for good: said once.
      const once = () => {
        if (silenced) return false;
        silenced = true;
        env.stalled?.(context.clientPort);
        return true;
      };
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
