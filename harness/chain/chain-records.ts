/**
 * What a chain keeps while it runs, apart from its sockets: the virtual clock and the trace, and the
 * bookkeeping that follows the trace (each message's run budget, the accounting tally and the verdicts of
 * forgotten messages when the trace is bounded, the holds of real engines, message ids, open connections,
 * wire quiet), the mailbox and the DSNs. Made from a plan; every subscriber is wired here, in the order
 * the rules need (the tally before the final verdicts, so a message they settle has been counted).
 */
import type { ChainPlan } from './plan-chain.js';
import type { Dsn, MailboxMessage } from './chain-types.js';
import { redactedReturn } from '../mta/require-tls.js';
import { VirtualClock } from './virtual-clock.js';
import { RunBudget } from './run-budget.js';
import { DeliveryIds } from './delivery-ids.js';
import { OpenConnections } from './open-connections.js';
import { StalledConnections } from './stalled-connections.js';
import { WireQuiet } from './wire-quiet.js';
import { Trace } from '../trace/trace.js';
import { AccountingTally } from '../verdict/accounting.js';
import { FinalVerdicts } from '../verdict/final-verdicts.js';
import { EngineHolds } from '../engines/engine-holds.js';
import type { StartedUnit } from '../runtime/runtime.js';

/** Options {@link ChainRecords} reads. */
export interface RecordsOptions {
  /** Real ms one message may keep the virtual clock waiting inside a real engine or gateway (default 15,000). */
  engineSettleMs?: number;
}

export class ChainRecords {
  readonly clock = new VirtualClock();
  readonly trace: Trace;
  readonly budget: RunBudget;
  /** Counted event by event when the trace is bounded (the kept trace cannot prove the accounting). */
  readonly tally: AccountingTally | null;
  /** With keepFinished: verdicts of messages whose events left the trace. */
  readonly finals: FinalVerdicts | null;
  /** Messages inside real engines and gateways (their queues are not ours to see). */
  readonly holds: EngineHolds;
  readonly ids: DeliveryIds;
  readonly connections = new OpenConnections();
  /** Senders' connections a stall fault silenced: their waits run on the virtual clock. */
  readonly stalls = new StalledConnections(this.clock);
  readonly wire = new WireQuiet();
  readonly dsns: Dsn[] = [];
  readonly #mailbox: MailboxMessage[] = [];
  readonly #plan: ChainPlan;

  /**
   * @param proxyOf the started link proxy of link index `i` once it runs (DeliveryIds asks it who a hop's peer is).
   */
  constructor(plan: ChainPlan, options: RecordsOptions, proxyOf: (i: number) => StartedUnit | undefined) {
    this.#plan = plan;
    this.trace = new Trace(this.clock, { keep: plan.traceLimit });
    this.tally = plan.bounded ? new AccountingTally() : null;
    if (this.tally) this.trace.subscribe((e) => this.tally!.observe(e));
    this.budget = new RunBudget(plan.scenario.runFor, () => this.clock.now());
    this.trace.subscribe((e) => this.budget.observe(e));
    this.finals = plan.keepFinished === undefined
      ? null
      : new FinalVerdicts(plan.scenario, { keep: plan.keepFinished, onDrop: (events) => this.trace.drop(events), tally: this.tally! });
    if (this.finals) this.trace.subscribe((e) => this.finals!.observe(e));
    this.trace.subscribe((e) => this.connections.observe(e));
    this.holds = new EngineHolds(plan.engineOrExternalHops, this.clock, options.engineSettleMs ?? 15_000);
    this.trace.subscribe((e) => this.holds.observe(e));
    this.ids = new DeliveryIds({
      binding: plan.links.map((l) => (l.driven ? 'announced' : 'sealed')),
      clientOf: (i, upstream) => proxyOf(i)?.clientOf?.(upstream),
    });
    const linkIndex = new Map(plan.links.map((l) => [l.name, l.toIndex]));
    // A sender's session ended: its connection no longer carries the message (the id is not believed on it).
    this.trace.subscribe((e) => {
      const link = e.kind === 'session' ? linkIndex.get(e.link) : undefined;
      if (e.kind === 'session' && link !== undefined) this.ids.ended(link, e.localPort, e.messageId);
    });
  }

  /** The final hop stored a message; with keepFinished, the mailbox keeps at most about that many. */
  deliver(message: Omit<MailboxMessage, 'at'>): void {
    this.#mailbox.push({ ...message, at: this.clock.now() });
    const keep = this.#plan.keepFinished;
    if (keep !== undefined && this.#mailbox.length > keep) this.#mailbox.splice(0, this.#mailbox.length - Math.ceil(keep / 2));
  }

  /** A copy of the mailbox. */
  mailbox(): MailboxMessage[] {
    return [...this.#mailbox];
  }

  /** Records the DSN a bouncing hop sends to the envelope sender (none for the null sender, RFC 5321 §4.5.5). */
  bounced(hop: string, message: { id: string; from: string; raw?: Buffer; requireTls?: true }, reply: Dsn['reply']): void {
    // RFC 8689 §5: the DSN of a REQUIRETLS message carries only its header section, and goes without REQUIRETLS.
    const redacted = message.requireTls && message.raw ? { requireTls: redactedReturn(message.raw) } : {};
    if (message.from) this.dsns.push({ messageId: message.id, hop, to: message.from, reply, at: this.clock.now(), ...redacted });
  }
}
