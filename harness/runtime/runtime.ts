/**
 * The runtime seam: how a chain starts its hop servers and link proxies. A runtime takes a JSON plan
 * (everything the started thing needs, serialisable, so it can cross into a container) and hooks
 * (what stays in the chain: the trace, the queues, the delivery bookkeeping), and returns the
 * address senders connect to and a stop. The in-process runtime is the default; the worker runtime runs
 * hops and link proxies in worker threads (worker-runtime.ts); the container runtime runs each hop and each
 * link proxy in its own container (container-runtime.ts).
 */
import type { Inbound } from '../scenario/schema.js';
import type { KeyCert } from '../pki/run-pki.js';
import type { LinkFaultSpec, CarriedDelivery } from '../link/faults/index.js';
import type { WireRecord } from '../link/wire-record.js';
import type { NewEvent } from '../trace/events.js';
import type { AcceptedMessage } from '../mta/hop-server.js';
import type { AssignId } from '../mta/id-claim.js';

/** A host and port. */
export interface Address {
  host: string;
  port: number;
}

/** Everything a hop server needs, as JSON. */
export interface HopPlan {
  kind: 'hop';
  hopId: string;
  hostname: string;
  inbound: Inbound;
  keyCert: KeyCert;
  /** The link delivering into this hop (`a->b`), for events. */
  inboundLink: string;
  /** Address to bind; port 0 (or absent) = ephemeral. */
  host: string;
  port?: number;
  /** Wall-clock ms at virtual 0 (Received header dates). */
  wallStart: number;
}

/** Everything a link proxy needs, as JSON. */
export interface LinkProxyPlan {
  kind: 'link';
  /** `a->b`. */
  name: string;
  host: string;
  port?: number;
  target: Address;
  /** The scenario's `links:` (only this link's entries act). */
  faults: LinkFaultSpec[];
  /** The hostname of the hop the link reaches. */
  servername: string;
  /** The interceptor's certificate, issued up front when a fault needs it. */
  attackerCert?: KeyCert;
  keepRecords?: number;
  /**
   * The chain reads the records of this proxy's open connections when it judges (its sender is a real engine or an
   * external server, whose connections mailhop does not announce): the proxy must answer `records()` in the chain's
   * process (a runtime that places units elsewhere keeps it there).
   */
  openRecordsJudged?: boolean;
}

/** What stays with the chain while a hop runs elsewhere. */
export interface HopHooks {
  /** Records an event (the trace numbers and timestamps it). */
  emit(event: NewEvent): void;
  /** Virtual now as a Date. */
  date(): Date;
  /** Takes an accepted message; resolves once the chain owns it (before the hop answers 250). */
  onMessage(message: AcceptedMessage): void;
  /** For `mailhop up`: settles each message's id, believed or fresh (hop-server.ts, mta/id-claim.ts). */
  assignId?: AssignId;
}

/** What stays with the chain while a link proxy runs elsewhere. */
export interface LinkProxyHooks {
  onOpen(): void;
  onRecord(record: WireRecord): void;
  /** Which delivery a connection carries, by the sender's local port. */
  deliveryOf(clientPort: number): CarriedDelivery | undefined;
  /** Where announcements can come after a connection's first bytes (a proxy in a container): waits for one (see `FaultEnv.awaitDelivery`). */
  awaitDelivery?(clientPort: number, timeoutMs: number): Promise<CarriedDelivery | undefined>;
  /** A stall fault silenced the connection from `clientPort` (see `FaultEnv.stalled`; not from a container). */
  stalled?(clientPort: number): void;
  /** Issues the interceptor's certificate (in-process runtime; the container runtime uses the plan's). */
  attackerCert(): Promise<KeyCert>;
}

/** A started hop server or link proxy. */
export interface StartedUnit extends AsyncDisposable {
  readonly address: Address;
  /** Records of a link proxy so far, open ones as they stand (empty for hops, and for remote proxies). */
  records(): WireRecord[];
  /**
   * A link proxy's open connection whose upstream socket is `upstream` (the hop's view of its peer): its
   * client's end (link-proxy.ts); undefined when there is none. A proxy elsewhere answers over its socket.
   */
  clientOf?(upstream: Address): Address | undefined | Promise<Address | undefined>;
  stop(): Promise<void>;
}

/** Starts hops and link proxies for one chain; stop() frees whatever the runtime itself holds. */
export interface ChainRuntime {
  readonly name: RuntimeName;
  startHop(plan: HopPlan, hooks: HopHooks): Promise<StartedUnit>;
  startLinkProxy(plan: LinkProxyPlan, hooks: LinkProxyHooks): Promise<StartedUnit>;
  /**
   * The sender of a link connected (the container runtime forwards which delivery it carries to the
   * link's proxy, and the virtual now, ms, to the hop the link reaches).
   */
  announce?(link: string, clientPort: number, delivery: CarriedDelivery, now: number): void;
  stop(): Promise<void>;
}

/** `in-process` (default), `workers` (worker threads, worker-runtime.ts), `containers` (container-runtime.ts). */
export type RuntimeName = 'in-process' | 'workers' | 'containers';

