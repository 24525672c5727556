/**
 * The web view's server-sent events (the WHATWG HTML standard, "Server-sent events"): every page that
 * connects gets a `snapshot` of everything, then only what changed, as it changes: a `message` event per
 * message whose summary changed (it arrived, was deferred, delivered, its verdicts became final), a `chain`
 * event when a link's live verdict or the diagram changed, a `dsns` event when a DSN was sent. Each event's
 * data is one line of JSON. Changes are looked for when the chain records something or a message settles,
 * at most once per {@link COALESCE_MS}: a message crossing three links records a dozen events in a burst.
 *
 * Looking costs a judgement of the whole session so far (live-view.ts), which grows with the session: the
 * pause between two looks is therefore at least {@link PACE} times what the last look cost, so the pages
 * never take more than about a fifth of the process from the chain they watch (with 800 messages and one
 * page open, looking every 25 ms had slowed `up` to a crawl). Pages see changes later, never fewer.
 */
import { EventStream, HTTPError, type H3Event } from 'h3';
import type { LiveSnapshot, LiveView } from './live-view.js';

/** Real time, ms, over which a burst of trace events is gathered into one look for changes. */
export const COALESCE_MS = 25;
/** The pause after a look is at least this many times the look's own cost. */
export const PACE = 4;
/** Pages that may follow one view at once; one more is answered 503 (each costs a socket and a copy of every change). */
export const MAX_PAGES = 16;

interface Sent {
  messages: Map<string, string>;
  chain: string;
  dsns: string;
}

const chainJson = (s: LiveSnapshot) => JSON.stringify({ chain: s.chain, diagram: s.diagram });

/** The pages connected to one web view, and what they were last sent. */
export class LiveEvents {
  readonly #view: LiveView;
  readonly #streams = new Set<EventStream>();
  #sent?: Sent;
  #timer?: NodeJS.Timeout;
  #closed = false;
  /** Real ms the last look took. */
  #lastCost = 0;

  constructor(view: LiveView) {
    this.#view = view;
  }

  /** Pages connected now. */
  get connected(): number {
    return this.#streams.size;
  }

  /**
   * Starts the stream of one page: pages already connected get what changed, this one the whole snapshot.
   * @throws HTTPError 503 when {@link MAX_PAGES} pages are connected already.
   */
  attach(event: H3Event): EventStream {
    if (this.#streams.size >= MAX_PAGES) {
      throw new HTTPError({ status: 503, message: `this web view already streams to ${MAX_PAGES} pages; close one (the JSON API still answers)` });
    }
    const stream = new EventStream(event);
    const snapshot = this.look();
    this.#streams.add(stream);
    stream.onClosed(() => this.#streams.delete(stream));
    // The first write also sends the response headers, so the page's EventSource opens at once.
    void stream.push({ event: 'snapshot', data: JSON.stringify(snapshot) }).catch(() => this.#streams.delete(stream));
    return stream;
  }

  /** Something was recorded or settled: look for changes soon (bursts are gathered, and paced by the cost of a look). */
  changed(): void {
    if (this.#closed || this.#timer || this.#streams.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.look();
    }, this.pauseMs);
    this.#timer.unref();
  }

  /** Real ms until the next look: {@link COALESCE_MS}, or {@link PACE} times the last look's cost when that is longer. */
  get pauseMs(): number {
    return Math.max(COALESCE_MS, Math.ceil(PACE * this.#lastCost));
  }

  /** Ends every page's stream (the web view stops). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#streams].map((s) => s.close()));
    this.#streams.clear();
  }

  /** Judges the view now, sends what changed to the connected pages, and returns the snapshot. */
  look(): LiveSnapshot {
    const start = performance.now();
    const snapshot = this.#view.snapshot();
    this.#lastCost = performance.now() - start;
    const now: Sent = {
      messages: new Map(snapshot.messages.map((m) => [m.id, JSON.stringify(m)])),
      chain: chainJson(snapshot),
      dsns: JSON.stringify(snapshot.dsns),
    };
    const before = this.#sent;
    this.#sent = now;
    if (!before || this.#streams.size === 0) return snapshot;
    const out: Array<{ event: string; data: string }> = [];
    for (const [id, json] of now.messages) if (before.messages.get(id) !== json) out.push({ event: 'message', data: json });
    if (before.chain !== now.chain) out.push({ event: 'chain', data: now.chain });
    if (before.dsns !== now.dsns) out.push({ event: 'dsns', data: now.dsns });
    if (out.length) for (const s of this.#streams) void s.push(out).catch(() => this.#streams.delete(s));
    return snapshot;
  }
}
