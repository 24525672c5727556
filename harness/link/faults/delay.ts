/**
 * delay: holds every server reply, and every TLS chunk the server sends, until `ms` real
 * milliseconds after it arrived: a slow or congested path. It is latency, not a rate limit:
 * replies pipelined together (RFC 2920) arrive `ms` late together, as over a long path, instead
 * of `ms` apart. Against a client `timeout` shorter than the delay the session times out
 * (deferred 4.4.2); otherwise only the clock notices.
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
      const hold = async (receivedAt: number) => {
        if (!recorded) {
          recorded = true;
          context.io.record({ dir: 'S', action: 'delay', note: `held every reply from the server ${spec.ms} ms` });
        }
        const left = receivedAt + spec.ms - Date.now();
        if (left > 0) await sleep(left);
        return undefined;
      };
      return { reply: (_lines, _answering, info) => hold(info.receivedAt), tls: (dir, _chunk, info) => (dir === 'S' ? hold(info.receivedAt) : undefined) };
    },
  };
}
