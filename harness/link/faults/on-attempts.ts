/**
 * `attempts: [n, ...]`: limits a fault to connections carrying the given delivery attempts of
 * their message. On other connections the fault's hooks are not called at all, so it neither acts
 * nor records.
 */
import type { LinkFault, LinkFaultSession } from '../link-fault.js';
import type { FaultEnv } from './fault-common.js';

const HOOKS = ['command', 'reply', 'tls', 'end'] as const;

/** `fault`, acting only on connections whose delivery attempt is in `attempts` (every connection when absent). */
export function onAttempts(fault: LinkFault, attempts: readonly number[] | undefined, env: Pick<FaultEnv, 'deliveryOf'>): LinkFault {
  if (!attempts) return fault;
  const wanted = new Set(attempts);
  return {
    name: fault.name,
    open(context) {
      const inner = fault.open(context);
      // Decided at the first hook: by then the sender has announced which delivery it carries.
      let active: boolean | undefined;
      const on = () => (active ??= wanted.has(env.deliveryOf(context.clientPort)?.attempt ?? 0));
      const gated: LinkFaultSession = {};
      for (const hook of HOOKS) {
        const call = inner[hook] as ((...args: unknown[]) => never) | undefined;
        if (call) (gated as Record<string, unknown>)[hook] = (...args: unknown[]) => (on() ? call.apply(inner, args) : undefined);
      }
      return gated;
    },
  };
}
