/**
 * What the web view knows about a running chain, judged from its trace on demand: the chain with each
 * link's live verdict and diagram, the messages so far, one message in full, and the DSNs. Record first,
 * judge later: every figure comes from `chain.report()` (verdict/) and the trace; this only arranges them,
 * and judges again only when something new was recorded.
 */
import type { Dsn, StartedChain } from '../chain/chain.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { TraceIndex } from '../verdict/trace-index.js';
import { headerWords, type HeaderWords } from '../report/header-words.js';
import type { ChainDiagram } from '../report/html-diagram.js';
import { handEntryAccounts, handEntryOf, wireByLink, type HandEntry } from './hand-entry.js';
import { hopViews, linkViews, type ChainView } from './link-view.js';
import { messageSummary, type MessageSummary, type ViewSources } from './message-view.js';
import { messageDetail, type MessageDetail } from './message-detail.js';

/** Everything the page shows at one moment. */
export interface LiveSnapshot {
  chain: ChainView;
  diagram: ChainDiagram;
  /** In the order they entered the chain. */
  messages: MessageSummary[];
  dsns: Dsn[];
}

interface Judged {
  key: string;
  snapshot: LiveSnapshot;
  report: ScenarioReport;
  sources: ViewSources & { wires: ReturnType<typeof wireByLink>; dsns: readonly Dsn[] };
  entries: Map<string, HandEntry>;
  words: Map<string, HeaderWords>;
}

/** A chain's live view; `settled(id)` marks a message's verdicts final (the chain was quiet after it finished). */
export class LiveView {
  readonly #chain: StartedChain;
  readonly #file?: string;
  readonly #settled = new Set<string>();
  #judged?: Judged;

  constructor(chain: StartedChain, file?: string) {
    this.#chain = chain;
    this.#file = file;
  }

  /** The message was delivered, bounced or held and the chain settled after it: its verdicts are final. */
  settled(messageId: string): void {
    this.#settled.add(messageId);
  }

  /** The chain, its links and diagram, the messages so far and the DSNs. */
  snapshot(): LiveSnapshot {
    return this.#judge().snapshot;
  }

  /** One message in full, or undefined for an id the chain has not seen. */
  message(id: string): MessageDetail | undefined {
    const j = this.#judge();
    const report = j.report.messages.find((m) => m.messageId === id);
    const summary = j.snapshot.messages.find((m) => m.id === id);
    if (!report || !summary) return undefined;
    return messageDetail(report, summary, j.entries.get(id), { ...j.sources, ...(j.words.has(id) ? { words: j.words.get(id)! } : {}) });
  }

  #judge(): Judged {
    const chain = this.#chain;
    const events = chain.events();
    const mailbox = chain.mailbox();
    const dsns = chain.dsns();
    // Judged again only when the trace, the mailbox, the DSNs or what has settled changed.
    const key = `${events.at(-1)?.seq ?? 0}/${mailbox.length}/${dsns.length}/${this.#settled.size}`;
    if (this.#judged?.key === key) return this.#judged;
    const raw = chain.report();
    const indexed = new TraceIndex(events);
    const wires = wireByLink(events);
    const entries = new Map<string, HandEntry>();
    for (const m of raw.messages) {
      const entry = handEntryOf(m, indexed, chain.scenario, wires);
      if (entry) entries.set(m.messageId, entry);
    }
    const report: ScenarioReport = { ...raw, headers: handEntryAccounts(raw, entries) };
    const sources = { scenario: chain.scenario, events, indexed, mailbox, settled: new Set(this.#settled), wires, dsns };
    const { links, diagram } = linkViews(chain.scenario, chain.hops, report, events, entries);
    const snapshot: LiveSnapshot = {
      chain: { scenario: chain.scenario.name, ...(this.#file ? { file: this.#file } : {}), hops: hopViews(chain.scenario, chain.hops), links },
      diagram,
      messages: raw.messages.map((m) => messageSummary(m, sources, entries.get(m.messageId))),
      dsns,
    };
    const words = new Map(headerWords(report).map((w) => [w.messageId, w]));
    this.#judged = { key, snapshot, report, sources, entries, words };
    return this.#judged;
  }
}
