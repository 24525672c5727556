/**
 * A hop's outbound queue: attempts delivery at once, defers on 4xx (and on local TLS-policy
 * refusals) with the retry schedule in virtual time, and bounces on 5xx or when the message is
 * older than maxAge (RFC 5321 §4.5.4.1; Postfix maximal_queue_lifetime). At most
 * `concurrencyLimit` attempts to the next hop run at once (Postfix
 * default_destination_concurrency_limit); the others wait their turn (session-slots.ts).
 */
import type { VirtualClock } from '../chain/virtual-clock.js';
import { deliverAttempt, type AttemptOutcome, type QueuedMessage, type RelayTarget } from './deliver-attempt.js';
import type { KeptSession as Kept } from './kept-session.js';
import { SessionSlots } from './session-slots.js';
import { QueueRun } from './queue-run.js';
import { cachesAlways, KeptSession, keepsSessions } from './kept-session.js';
import { resumesTls, TlsSessionCache } from './tls-session-cache.js';

export interface RelayQueueOptions {
  target: RelayTarget;
  clock: VirtualClock;
  /** Called when the hop gives up on a message (a DSN goes to the envelope sender). */
  onBounce?: (message: QueuedMessage, reply: AttemptOutcome['reply']) => void;
  /**
   * The run's budget for a message: the virtual time, ms, after which no retry of it is scheduled
   * (it stays queued: held, not bounced). Asked once, when the message enters this queue. The chain
   * counts it from when the message entered the chain (scenario `runFor`), so under `mailhop up`
   * a message sent late gets its whole retry schedule. Default: no budget (Infinity).
   */
  runUntil?: (messageId: string) => number;
  /**
   * Makes one attempt instead of {@link deliverAttempt} over `target` (a hop that routes by MX tries its MX hosts:
   * mx-delivery.ts). The queue still owns retries, deferrals and bounces.
   */
  deliver?: (message: QueuedMessage, attempt: number, kept: Kept | undefined) => Promise<AttemptOutcome>;
}

/** A queue entry's key: the message, and its destination when a hop split it per recipient domain. */
const entryKey = (m: { id: string; destination?: string }) => (m.destination === undefined ? m.id : `${m.id}\0${m.destination}`);

/** The `destination` field of an event about `m`, when it has one. */
const destinationOf = (m: { destination?: string }) => (m.destination === undefined ? {} : { destination: m.destination });

/** A message in the queue, with the last virtual time, ms, at which this run may retry it. */
type HeldMessage = QueuedMessage & { runUntil: number };

export class RelayQueue {
  private readonly pending = new Map<string, HeldMessage>();
  private readonly slots: SessionSlots;
  /** Under `fallbackMemory: destination-run`, the queue run that remembers a failed handshake (queue-run.ts). */
  private readonly run: QueueRun | undefined;
  /** Under `outbound.reuse` or `fallbackMemory: session`, the session kept for the next message (kept-session.ts). */
  private readonly kept: KeptSession | undefined;
  /** Under `connectionCache: always`: a close of the kept sessions is waiting for the clock to go idle. */
  private closeOnIdle = false;
  /** The target, with the TLS session kept for the next hop under `tlsResumption: tickets` (tls-session-cache.ts). */
  private readonly target: RelayTarget;
  private stopped = false;

  constructor(private readonly opts: RelayQueueOptions) {
    const policy = opts.target.policy;
    this.slots = new SessionSlots(policy.concurrencyLimit);
    const memory = 'fallbackMemory' in policy ? policy.fallbackMemory : 'message';
    this.run = memory === 'destination-run' ? new QueueRun() : undefined;
    this.kept = keepsSessions(policy) ? new KeptSession(policy.concurrencyLimit) : undefined;
    this.target = resumesTls(policy) && !opts.target.tlsSessions ? { ...opts.target, tlsSessions: new TlsSessionCache() } : opts.target;
  }

  /** Messages still held by this hop (deferred, waiting for a session slot, or in flight). */
  held(): QueuedMessage[] {
    return [...this.pending.values()];
  }

  /**
   * Takes ownership of a message and starts its first attempt at once (or queues it for a free session slot).
   * Synchronous on purpose: the clock must see the work before the previous hop's 250 goes out.
   */
  enqueue(message: Omit<QueuedMessage, 'attempts' | 'arrivedAt'>): void {
    const { target, clock } = this.opts;
    const queued: HeldMessage = { ...message, arrivedAt: clock.now(), attempts: 0, runUntil: Infinity };
    this.pending.set(entryKey(queued), queued);
    target.trace.emit({ kind: 'queued', source: 'sender', link: target.link, hop: target.hop, messageId: queued.id, inboundTls: queued.inbound, ...destinationOf(queued), ...(queued.requireTls ? { requireTls: true } : {}) });
    queued.runUntil = this.opts.runUntil?.(queued.id) ?? Infinity;
    this.attempt(queued);
  }

  /** Stops scheduling further attempts (in-flight sessions finish on their own; waiting ones are not started). */
  stop(): void {
    this.stopped = true;
    void this.kept?.close();
  }

  /** Tracked by the clock from the moment it is due, slot wait included: virtual time stands still meanwhile. */
  private attempt(message: HeldMessage): void {
    if (this.stopped) return;
    const work = this.slots.run(async () => {
      if (this.stopped) return;
      message.attempts++;
      const own = this.opts.deliver;
      const deliver = () => (own ? own(message, message.attempts, this.kept) : deliverAttempt(this.target, message, message.attempts, this.kept));
      // A message's first attempt, on arrival, is its own (Sendmail delivers an arriving message in a process of its
      // own); its retries join the queue run of their virtual instant.
      const outcome = this.run && message.attempts > 1 ? await this.run.join(this.opts.clock.now(), deliver) : await deliver();
      this.settle(message, outcome);
      await this.release();
    });
    void this.opts.clock.track(work);
  }

  /**
   * After an attempt: under `connectionCache: on-demand` a kept session waits only for an attempt already in line;
   * under `always` it waits until the clock would move on. Either way nothing stays open while virtual time runs on.
   */
  private async release(): Promise<void> {
    const kept = this.kept;
    if (!kept || kept.size === 0) return;
    if (!cachesAlways(this.opts.target.policy)) {
      if (this.slots.queued === 0) await kept.close();
      return;
    }
    if (this.closeOnIdle) return;
    this.closeOnIdle = true;
    this.opts.clock.beforeIdle(() => {
      this.closeOnIdle = false;
      void this.opts.clock.track(kept.close());
    });
  }

  private settle(message: HeldMessage, outcome: AttemptOutcome): void {
    const { target, clock } = this.opts;
    if (outcome.result === 'relayed') {
      this.pending.delete(entryKey(message));
      return;
    }
    if (outcome.result === 'bounced') return this.bounce(message, outcome.reply, outcome.link);
    const policy = target.policy;
    const expiresAt = message.arrivedAt + policy.maxAge;
    if (clock.now() >= expiresAt) {
      return this.bounce(message, {
        code: 554,
        enhanced: '5.4.7',
        text: `554 5.4.7 delivery time expired after ${message.attempts} attempts; last reply: ${outcome.reply.text}`,
      });
    }
    const delay = policy.retry[Math.min(message.attempts - 1, policy.retry.length - 1)];
    const nextAttemptAt = Math.min(clock.now() + delay, expiresAt);
    target.trace.emit({
      kind: 'deferred', source: 'sender', link: outcome.link ?? target.link, hop: target.hop, messageId: message.id,
      attempt: message.attempts, nextAttemptAt, reply: outcome.reply, ...destinationOf(message),
    });
    // Past the run's budget for this message the retry is not scheduled: it stays queued (held) when the run ends.
    if (nextAttemptAt <= message.runUntil) clock.schedule(nextAttemptAt, () => this.attempt(message));
  }

  private bounce(message: QueuedMessage, reply: AttemptOutcome['reply'], link?: string): void {
    const { target } = this.opts;
    this.pending.delete(entryKey(message));
    target.trace.emit({ kind: 'bounced', source: 'sender', link: link ?? target.link, hop: target.hop, messageId: message.id, reply, dsnTo: message.from, ...destinationOf(message) });
    this.opts.onBounce?.(message, reply);
  }
}
