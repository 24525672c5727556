/**
 * One message through a chain of 1,000 mock hops, in a fresh process (so that its peak RSS is the chain's
 * alone): start the chain, send the message, judge the run, and report the process's peak RSS. What made it
 * grow with the square of the hops was the trace keeping every Received header again in each hop's
 * `accepted` event (trace/received-stack.ts keeps each once). The child (long-chain-child.mjs) runs the
 * compiled package in plain Node, as users run mailhop: under tsx, its loader alone adds about 40 MB.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface LongChainResult {
  hops: number;
  /** Peak resident set size of the whole process (start-up included), MB (10^6 bytes). */
  peakRssMb: number;
  /** Resident set size once the chain listened, before the message, MB. */
  startedRssMb: number;
  startMs: number;
  /** send -> judged report, ms. */
  runMs: number;
  /** Where the message ended: `delivered` at the last hop, or what stopped it. */
  outcome: string;
}

/**
 * Runs the measurement in a child process on dist/ and returns its result.
 * @throws Error when dist/ is not built (`npm run bench` builds it first) or the child fails
 */
export function measureLongChain(hops: number): Promise<LongChainResult> {
  const child = fileURLToPath(new URL('./long-chain-child.mjs', import.meta.url));
  if (!existsSync(fileURLToPath(new URL('../dist/harness/chain/chain.js', import.meta.url)))) {
    return Promise.reject(new Error('bench: dist/ is not built; run `npm run build` (npm run bench does)'));
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, String(hops)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as LongChainResult) : reject(new Error(`long chain (${hops} hops) exited with ${code}: ${out}`))));
  });
}
