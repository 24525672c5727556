/**
 * Verdicts of messages whose outcome is final, kept so that their raw events can leave the trace: a
 * long `mailhop up` (a chain with `keepFinished`) then holds the events of a bounded number of
 * messages, yet its report still covers every message with the verdicts the whole trace gives.
 *
 * A message is judged, and forgotten, once it is final (delivered or bounced) and its record complete
 * (message-complete.ts): when more than `keep` final messages are indexed, the oldest complete ones
 * are forgotten until `keep / 2` are left. What stays per forgotten message: its report, and its
 * header accounts without the Received header's text (what the header claims stays: belief, rule,
 * protocol, version, cipher), as objects shared between messages judged alike: a few dozen bytes.
 * The header text is unique to each message (dates, queue ids): a long session would keep them all.
 */
import { chainTopology, type Scenario } from '../scenario/schema.js';
import type { TraceEvent } from '../trace/events.js';
import type { AccountingTally } from './accounting.js';
import { headerAccountsOf, knownHops, type HeaderAccount } from './header-reconstruction.js';
import { judgeMessage, type MessageReport } from './judge-message.js';
import { completeAt } from './message-complete.js';
import type { FinishedMessages } from './judge-scenario.js';
import type { MessageLinkVerdict } from './link-verdict.js';
import { TraceIndex, type StoredCopy } from './trace-index.js';

type LinkTemplate = Omit<MessageLinkVerdict, 'messageId'>;
type AccountTemplate = Omit<HeaderAccount, 'messageId'>;

/** A forgotten message's report, its message id left out of what is shared. */
interface Kept {
  outcome: MessageReport['outcome'];
  endToEnd: MessageReport['endToEnd'];
  stoppedAt?: MessageReport['stoppedAt'];
  links: LinkTemplate[];
}

/** Distinct templates kept at most (a run judged in more ways than this stores the rest unshared). */
const MAX_TEMPLATES = 1_000;

/** See the file comment. `observe` every event in order; `report` and `headers` serve judgeScenario. */
export class FinalVerdicts implements FinishedMessages {
  readonly index = new TraceIndex();
  readonly #scenario: Scenario;
  readonly #links: string[];
  readonly #keep: number;
  readonly #onDrop: (events: ReadonlySet<TraceEvent>) => void;
  readonly #tally: AccountingTally | undefined;
  /** Final and still indexed, in the order they became final. */
  #finals: string[] = [];
  readonly #final = new Set<string>();
  readonly #kept = new Map<string, Kept>();
  /** Header accounts of forgotten messages' deliveries, as parallel arrays (a few words each): the acceptance's seq, the message, the accounts. */
  readonly #headerSeq: number[] = [];
  readonly #headerId: string[] = [];
  readonly #headerAccounts: AccountTemplate[][] = [];
  readonly #templates = new Map<string, object>();
  /** Final messages indexed at which to try again (messages not ready stay; each pass waits for `keep / 2` more). */
  #nextPass: number;

  /**
   * @param keep final messages whose events stay indexed at most (at least 2; ready ones beyond it are forgotten, down to `keep / 2`).
   * @param onDrop receives the events of messages just forgotten (the chain drops them from its trace).
   * @param tally the chain's running accounting, told to shrink what it keeps of forgotten messages.
   */
  constructor(scenario: Scenario, options: { keep: number; onDrop: (events: ReadonlySet<TraceEvent>) => void; tally?: AccountingTally }) {
    this.#scenario = scenario;
    this.#links = chainTopology(scenario.hops, scenario.dns).links.map((l) => l.name);
    this.#keep = Math.max(2, Math.floor(options.keep));
    this.#onDrop = options.onDrop;
    this.#tally = options.tally;
    this.#nextPass = this.#keep + 1;
  }

  /** Files an event (in trace order); forgets a batch of final messages once more than `keep` are indexed. */
  observe(e: TraceEvent): void {
    this.index.add(e);
    if ((e.kind === 'delivered' || e.kind === 'bounced') && !this.#final.has(e.messageId) && !this.#kept.has(e.messageId)) {
      this.#final.add(e.messageId);
      this.#finals.push(e.messageId);
    }
    if (this.#finals.length >= this.#nextPass) this.#forgetOldest();
  }

  /** Messages forgotten so far. */
  get forgotten(): number {
    return this.#kept.size;
  }

  report(messageId: string): MessageReport | undefined {
    const kept = this.#kept.get(messageId);
    if (!kept) return undefined;
    return {
      messageId,
      outcome: kept.outcome,
      endToEnd: kept.endToEnd,
      ...(kept.stoppedAt ? { stoppedAt: kept.stoppedAt } : {}),
      links: kept.links.map(({ link, ...rest }) => ({ link, messageId, ...rest })),
    };
  }

  *headers(): Iterable<{ seq: number; accounts: HeaderAccount[] }> {
    const order = this.#headerSeq.map((_, i) => i).sort((a, b) => this.#headerSeq[a] - this.#headerSeq[b]);
    for (const i of order) {
      const messageId = this.#headerId[i];
      yield { seq: this.#headerSeq[i], accounts: this.#headerAccounts[i].map((a) => ({ messageId, ...a })) };
    }
  }

  /** Judges and forgets the oldest final messages that are ready, leaving `keep / 2` final ones indexed. */
  #forgetOldest(): void {
    const forget: string[] = [];
    const later: string[] = [];
    const hops = knownHops(this.index, this.#scenario.hops.map((h) => h.id));
    const lastLink = this.#links.at(-1)!;
    for (const [n, id] of this.#finals.entries()) {
      const pastKeep = this.#finals.length - n > this.#keep / 2;
      const hopsOf = pastKeep ? completeAt(this.index, id) : undefined;
      if (!hopsOf) {
        later.push(id);
        continue;
      }
      const report = judgeMessage(this.index, this.#links, id);
      const kept: Kept = {
        outcome: report.outcome,
        endToEnd: report.endToEnd,
        ...(report.stoppedAt ? { stoppedAt: report.stoppedAt } : {}),
        links: report.links.map(({ messageId, ...t }) => this.#share(t, messageId)),
      };
      this.#kept.set(id, this.#share(kept, id));
      const verdictOf = (_: string, link: string) => report.links[this.#links.indexOf(link)]?.verdict;
      const stored = this.index.own(id).filter((e) => (e.kind === 'accepted' || e.kind === 'delivered') && e.link === lastLink && e.received);
      for (const delivery of stored as StoredCopy[]) {
        const accounts = headerAccountsOf(delivery, hops, verdictOf).map(({ messageId, header: _, ...a }) => this.#share(a, messageId));
        this.#headerSeq.push(delivery.seq);
        this.#headerId.push(id);
        this.#headerAccounts.push(this.#share(accounts, id));
      }
      this.#tally?.settle(id, hopsOf);
      this.#final.delete(id);
      forget.push(id);
    }
    this.#finals = later;
    this.#nextPass = Math.max(this.#keep + 1, later.length + this.#keep / 2);
    this.#onDrop(this.index.forget(forget));
  }

  /** One object for equal templates (most messages are judged alike: their reports differ only in the id), unless it names the message itself. */
  #share<T extends object>(template: T, messageId: string): T {
    const json = JSON.stringify(template);
    if (json.includes(messageId)) return template;
    const known = this.#templates.get(json);
    if (known) return known as T;
    if (this.#templates.size < MAX_TEMPLATES) this.#templates.set(json, template);
    return template;
  }
}
