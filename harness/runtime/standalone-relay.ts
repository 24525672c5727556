/**
 * A hop's own relay queue when no chain drives it (docker compose): its own virtual clock, run
 * whenever mail is held, and its events printed (through `emit`) instead of judged.
 */
import { VirtualClock } from '../chain/virtual-clock.js';
import { RelayQueue } from '../mta/relay-queue.js';
import { Trace } from '../trace/trace.js';
import type { NewEvent } from '../trace/events.js';
import type { Outbound } from '../scenario/schema.js';
import type { AcceptedMessage } from '../mta/hop-server.js';
import type { Address, HopPlan } from './runtime.js';

/** Where and how a compose hop relays: to the link proxy in front of the next hop. */
export interface StandaloneRelayPlan {
  link: string;
  address: Address;
  servername: string;
  implicitTls: boolean;
  policy: Outbound;
  /** The run's CA certificate (PEM). */
  ca: string[];
}

/** Starts the relay side of a compose hop. */
export function standaloneRelay(hop: HopPlan, relay: StandaloneRelayPlan, emit: (event: NewEvent) => void) {
  const clock = new VirtualClock();
  const trace = new Trace(clock, { keep: 100 });
  trace.subscribe((e) => emit(e as NewEvent));
  const queue = new RelayQueue({
    clock,
    target: {
      hop: hop.hopId, link: relay.link, policy: relay.policy, address: relay.address, servername: relay.servername,
      ehloName: hop.hostname, implicitTls: relay.implicitTls, ca: relay.ca, trace, now: () => clock.now(),
    },
  });
  let running = false;
  const drive = async () => {
    if (running) return;
    running = true;
    try {
      // Retries jump ahead when idle, as in a chain: a deferred message is retried at once, up to its maxAge.
      while (queue.held().length > 0 && (await clock.run(Number.MAX_SAFE_INTEGER, () => queue.held().length === 0)) === 'done') break;
    } finally {
      running = false;
    }
  };
  return {
    enqueue(m: AcceptedMessage) {
      queue.enqueue({ id: m.id, from: m.from, to: m.to, raw: m.raw, inbound: m.inbound, ...(m.requireTls ? { requireTls: true } : {}) });
      void drive();
    },
    stop() {
      queue.stop();
      clock.stop();
    },
  };
}
