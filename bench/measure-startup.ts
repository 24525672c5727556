/**
 * Chain start-up: `startChain` of a 5-hop scenario until every hop and link proxy listens
 * (fresh CA and certificates each time), then `stop()` (not timed). For context, the same
 * number of bare smtp-servers with fresh certificates (baseline-chain.ts), and mailhop's PKI
 * work alone (RunPki.create + 5 issues, as startChain does it) to show its share.
 */
import { startChain } from '../harness/chain/chain.js';
import { RunPki } from '../harness/pki/run-pki.js';
import { offerChain } from './bench-fixtures.js';
import { startBaselinePath } from './baseline-chain.js';
import { now, summarize, type Summary } from './stats.js';

export interface StartupResult {
  mailhop: Summary;
  pki: Summary;
  baseline: Summary;
}

export async function measureStartup(hops: number, runs: number, warmup: number): Promise<StartupResult> {
  const scenario = offerChain(hops);
  const hostnames = scenario.hops.map((h) => `${h.id}.mailhop.test`);
  const mailhop: number[] = [];
  const pki: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const keep = i >= warmup;
    let t = now();
    const chain = await startChain(scenario);
    if (keep) mailhop.push(now() - t);
    await chain.stop();

    t = now();
    const run = await RunPki.create();
    await Promise.all(hostnames.map((h) => run.issue(h, 'valid')));
    if (keep) pki.push(now() - t);

    t = now();
    const bare = await startBaselinePath({ hops, greeting: 'patched' });
    if (keep) baseline.push(now() - t);
    await bare.stop();
  }
  return { mailhop: summarize(mailhop), pki: summarize(pki), baseline: summarize(baseline) };
}
