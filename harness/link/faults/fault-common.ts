/**
 * What every link fault shares: the scenario keys that place it on a link (`from`, `to`,
 * `attempts`), the environment a chain gives it, and the SMTP line tests the faults agree on.
 */
import { z } from 'zod';
import type { KeyCert } from '../../pki/run-pki.js';

/** Which delivery a TCP connection carries (the sender announces it right after connecting). */
export interface CarriedDelivery {
  messageId: string;
  /** Delivery attempt of the message on this link, from 1. */
  attempt: number;
  /** Connection within the attempt, from 1 (2 after a reconnect fallback). */
  connection: number;
}

/** What a chain gives the faults of one link. */
export interface FaultEnv {
  /**
   * The delivery a connection carries, by the client's port (`LinkFaultContext.clientPort`);
   * `undefined` when the client is not one of the chain's senders. Asked at a connection's first
   * hook, by which time the sender has announced it (it does so before writing any byte).
   */
  deliveryOf(clientPort: number): CarriedDelivery | undefined;
  /**
   * For a proxy that learns deliveries by message (the container runtime: the chain's announcement
   * travels over a socket and may come after the connection's first bytes): resolves with the
   * delivery once announced, or `undefined` after `timeoutMs` (real ms). Absent where
   * `deliveryOf` already knows every sender's connection (in-process).
   */
  awaitDelivery?(clientPort: number, timeoutMs: number): Promise<CarriedDelivery | undefined>;
  /**
   * The connection from `clientPort` is silenced for good by this link's stall fault (docs/behaviour.md#A-stall): told
   * once, when the fault swallows its first bytes, so a sender of the chain's own waiting on it lets its timeout
   * elapse on the virtual clock (chain/stalled-connections.ts). Absent where no sender can hear it (a proxy in a
   * container): the sender then waits in real time.
   */
  stalled?(clientPort: number): void;
  /** The hostname of the hop the link reaches (the certificate name its clients expect). */
  servername: string;
  /** Issues the interceptor's certificate: the server's name, signed by a CA nobody in the run trusts. */
  attackerCert(): Promise<KeyCert>;
}

/** Keys placing a fault on a link; `from` may be `client` (the injecting client's link). */
export const linkKeys = {
  /** The sending end: a hop id, or `client`. */
  from: z.string().regex(/^[a-z0-9-]+$/, 'must be a hop id or "client"'),
  /** The receiving hop: the hop right after `from` in `hops`. */
  to: z.string().regex(/^[a-z0-9-]+$/, 'must be a hop id'),
};

/** Delivery attempts (of the message the connection carries) the fault acts on; default every attempt. */
export const attemptsKey = {
  attempts: z.array(z.number().int().min(1)).min(1).optional(),
};

/** One SMTP line a fault sends, without CRLF: printable ASCII only (nothing can be smuggled past it). */
export const SmtpLine = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x20-\x7e]+$/, 'must be one line of printable ASCII, without CR or LF');

/** The reply answers EHLO (or LMTP's LHLO): the only reply listing extensions (RFC 5321 §4.1.1.1). */
export function answersEhlo(answering: string | undefined): boolean {
  return /^(EHLO|LHLO)\b/i.test(answering ?? '');
}

/** The command is the STARTTLS verb, which takes no parameters (RFC 3207 §4). */
export function isStarttls(line: string | undefined): boolean {
  return /^STARTTLS\s*$/i.test(line ?? '');
}

/** An empty buffer: a TLS verdict forwarding this sends nothing. */
export const NOTHING = Buffer.alloc(0);

/** Real ms a connection's first hook waits for its delivery to be announced, where it can be late (a worker thread, a container). */
const ANNOUNCE_WAIT_MS = 2_000;

/** A value now, or later where it has to be waited for. */
export type NowOrLater<T> = T | Promise<T>;

/** `f` applied to `value`, at once when it is there, else once it is. */
export function whenReady<T, R>(value: NowOrLater<T>, f: (v: T) => R): R | Promise<Awaited<R>> {
  return value instanceof Promise ? (value.then(f) as Promise<Awaited<R>>) : f(value);
}

/**
 * The delivery the connection from `clientPort` carries, asked once and kept: at once where announcements come before
 * a connection's bytes (in-process, or already arrived); where they travel apart from them (a proxy on a worker
 * thread or in a container, `awaitDelivery`), a promise that waits up to 2 s real time for it (undefined without).
 */
export function announcedDelivery(env: Pick<FaultEnv, 'deliveryOf' | 'awaitDelivery'>, clientPort: number): () => NowOrLater<CarriedDelivery | undefined> {
  let kept: NowOrLater<CarriedDelivery | undefined> | undefined;
  let asked = false;
  return () => {
    if (asked) return kept;
    asked = true;
    const known = env.deliveryOf(clientPort);
    kept = known || !env.awaitDelivery ? known : env.awaitDelivery(clientPort, ANNOUNCE_WAIT_MS).then((d) => (kept = d));
    return kept;
  };
}
