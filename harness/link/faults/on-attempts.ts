/**
 * `attempts: [n, ...]`: limits a fault to connections carrying the given delivery attempts of
 * their message. On other connections the fault's hooks are not called at all, so it neither acts
 * nor records.
 */
import type { LinkFault, LinkFaultSession } from '../link-fault.js';
import { announcedDelivery, whenReady, type FaultEnv } from './fault-common.js';

const HOOKS = ['command', 'reply', 'tls', 'end'] as const;

/** `fault`, acting only on connections whose delivery attempt is in `attempts` (every connection when absent). */
export function onAttempts(fault: LinkFault, attempts: readonly number[] | undefined, env: Pick<FaultEnv, 'deliveryOf' | 'awaitDelivery'>): LinkFault {
  if (!attempts) return fault;
  const wanted = new Set(attempts);
  return {
    name: fault.name,
    open(context) {
      const inner = fault.open(context);
      // Decided at the first hook: by then the sender has announced which delivery it carries (or the hook waits for it).
      const delivery = announcedDelivery(env, context.clientPort);
      const on = () => whenReady(delivery(), (d) => wanted.has(d?.attempt ?? 0));
      const gated: LinkFaultSession = {};
      for (const hook of HOOKS) {
        const call = inner[hook] as ((...args: unknown[]) => never) | undefined;
        if (!call) continue;
        (gated as Record<string, unknown>)[hook] = (...args: unknown[]) => {
          return whenReady(on(), (yes) => (yes ? call.apply(inner, args) : undefined));
        };
      }
      return gated;
    },
  };
}
