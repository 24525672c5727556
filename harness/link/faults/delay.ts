/**
 * delay: holds every server reply, and every TLS chunk the server sends, `ms` real milliseconds
 * before passing it on: a slow or congested path. Against a client `timeout` shorter than the
 * delay the session times out (deferred 4.4.2); otherwise only the clock notices.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { RealWait } from '../../scenario/duration.js';
import type { LinkFault } from '../link-fault.js';
import { attemptsKey, linkKeys } from './fault-common.js';

export const DelaySpec = z.strictObject({
  ...linkKeys,
  fault: z.literal('delay'),
  ...attemptsKey,
  /** Real time each reply (or server TLS chunk) is held, e.g. `200ms` or `200`. */
  ms: RealWait,
});
export type DelaySpec = z.output<typeof DelaySpec>;

/** @example { from: client, to: mx, fault: delay, ms: 200ms } */
export function delay(spec: Pick<DelaySpec, 'ms'>): LinkFault {
  return {
    name: 'delay',
    open(context) {
      let recorded = false;
      const hold = async () => {
        if (!recorded) {
          recorded = true;
          context.io.record({ dir: 'S', action: 'delay', note: `held every reply from the server ${spec.ms} ms` });
        }
        await sleep(spec.ms);
        return undefined;
      };
      return { reply: hold, tls: (dir) => (dir === 'S' ? hold() : undefined) };
    },
  };
}
