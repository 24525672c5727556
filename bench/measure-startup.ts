/**
 * Chain start-up: `startChain` of an all-`offer` scenario of `hops` hops until every hop and link proxy
 * listens (fresh CA and certificates each time), then `stop()` (not timed). Beside it, mailhop's PKI work
 * alone, as startChain does it (RunPki.create, then one `issue` per hop), split into the run's CA
 * (selfsigned) and the hop certificates; and, when asked, the same number of bare smtp-servers with
 * fresh selfsigned certificates (baseline-chain.ts) for context.
 */
import { startChain } from '../harness/chain/chain.js';
import { RunPki } from '../harness/pki/run-pki.js';
import { offerChain } from './bench-fixtures.js';
import { startBaselinePath } from './baseline-chain.js';
import { now, summarize, type Summary } from './stats.js';

export interface StartupResult {
  mailhop: Summary;
  /** The run's CA: `RunPki.create()`, ms. */
  ca: Summary;
  /** The hop certificates: one `issue(hostname, 'valid')` per hop, all at once, ms. */
  leaves: Summary;
  /** Bare smtp-servers with selfsigned certificates; null when not asked for. */
  baseline: Summary | null;
}

export interface StartupOptions {
  hops: number;
  /** Runs kept for the figures, after `warmup` runs that are not. */
  runs: number;
  warmup: number;
  /** Also start the baseline each run (its selfsigned leaves cost ~10 ms a hop). */
  baseline: boolean;
}

export async function measureStartup(opts: StartupOptions): Promise<StartupResult> {
  const scenario = offerChain(opts.hops);
  const hostnames = scenario.hops.map((h) => `${h.id}.mailhop.test`);
  const mailhop: number[] = [];
  const ca: number[] = [];
  const leaves: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < opts.warmup + opts.runs; i++) {
    const keep = i >= opts.warmup;
    let t = now();
    const chain = await startChain(scenario);
    if (keep) mailhop.push(now() - t);
    await chain.stop();

    t = now();
    const run = await RunPki.create();
    if (keep) ca.push(now() - t);
    t = now();
    await Promise.all(hostnames.map((h) => run.issue(h, 'valid')));
    if (keep) leaves.push(now() - t);

    if (!opts.baseline) continue;
    t = now();
    const bare = await startBaselinePath({ hops: opts.hops, greeting: 'patched' });
    if (keep) baseline.push(now() - t);
    await bare.stop();
  }
  return { mailhop: summarize(mailhop), ca: summarize(ca), leaves: summarize(leaves), baseline: opts.baseline ? summarize(baseline) : null };
}
