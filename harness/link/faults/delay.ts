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

/** The real clock the fault holds replies on; tests pass a virtual one to check the schedule exactly. */
export interface DelayClock {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<unknown>;
}

const REAL_CLOCK: DelayClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/** @example { from: client, to: mx, fault: delay, ms: 200ms } */
export function delay(spec: Pick<DelaySpec, 'ms'>, clock: DelayClock = REAL_CLOCK): LinkFault {
  return {
    name: 'delay',
    open(context) {
      let recorded = false;
      const hold = async (receivedAt: number) => {
        if (!recorded) {
          recorded = true;
          context.io.record({ dir: 'S', action: 'delay', note: `held every reply from the server ${spec.ms} ms` });
        }
        const left = receivedAt + spec.ms - clock.now();
        if (left > 0) await clock.sleep(left);
        return undefined;
      };
      return { reply: (_lines, _answering, info) => hold(info.receivedAt), tls: (dir, _chunk, info) => (dir === 'S' ? hold(info.receivedAt) : undefined) };
    },
  };
}
