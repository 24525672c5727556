/**
 * The web view's event stream must never starve the chain it watches: each look at the chain judges the
 * whole session so far, so the pause between looks grows with what a look costs, and the number of pages
 * following one view is capped (one more is refused with 503, the JSON API still answers).
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { startWebView } from '../../harness/web/web-view.js';
import { COALESCE_MS, LiveEvents, MAX_PAGES, PACE } from '../../harness/web/live-events.js';
import type { LiveSnapshot, LiveView } from '../../harness/web/live-view.js';

/** A view whose every look takes at least `ms` of CPU (a busy loop: load can only make it longer). */
function slowView(ms: number): LiveView {
  const snapshot = { chain: { scenario: 's', hops: [], links: [] }, diagram: {}, messages: [], dsns: [] } as unknown as LiveSnapshot;
  return {
    snapshot() {
      const start = performance.now();
      while (performance.now() - start < ms);
      return snapshot;
    },
  } as unknown as LiveView;
}

describe('the web view event stream', () => {
  it('waits at least PACE times the cost of the last look before looking again', () => {
    const live = new LiveEvents(slowView(30));
    expect(live.pauseMs).toBe(COALESCE_MS);
    live.look();
    expect(live.pauseMs).toBeGreaterThanOrEqual(PACE * 30);
  });

  it(`streams to ${MAX_PAGES} pages at once and answers the next with 503, while the JSON API still answers`, async () => {
    const scenario = Scenario.parse({ name: 'pages', hops: [{ id: 'a' }, { id: 'b' }], messages: [{ from: 'a@x.test', to: ['b@y.test'] }] });
    await using chain = await startChain(scenario);
    await using web = await startWebView(chain, { port: 0 });
    const pages = new AbortController();
    const streams = await Promise.all(Array.from({ length: MAX_PAGES }, () => fetch(`${web.url}api/events`, { signal: pages.signal })));
    try {
      expect(streams.map((r) => r.status)).toEqual(Array(MAX_PAGES).fill(200));
      const refused = await fetch(`${web.url}api/events`);
      expect(refused.status).toBe(503);
      expect(await refused.text()).toContain(`already streams to ${MAX_PAGES} pages`);
      expect((await fetch(`${web.url}api/links`)).status).toBe(200);
    } finally {
      pages.abort();
    }
  });
});
