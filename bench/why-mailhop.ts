/**
 * Where mailhop's time goes: the 3-hop latency and throughput runs again, with the what-if
 * switches of what-if.ts, in alternating rounds, plus real time per SmtpClient step and per link
 * (sender `queued` -> receiver `accepted`) and process CPU per message.
 */
import { offerChain } from './bench-fixtures.js';
import { startBaselinePath } from './baseline-chain.js';
import { startMailhopPath } from './mailhop-path.js';
import { measureLatency, measureThroughput, type MessagePath } from './message-path.js';
import type { TraceEvent } from '../harness/trace/events.js';
import { summarize } from './stats.js';
import { installWhatIf, resetSteps, steps, whatIf } from './what-if.js';

interface Variant {
  name: string;
  reuseSecureContext?: boolean;
  linkProxy?: 'mailhop' | 'pipe' | 'none';
  baseline?: boolean;
  /** Baseline only: a bare TCP relay in front of every hop. */
  linkPipes?: boolean;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'mailhop' },
  { name: 'reused TLS ctx', reuseSecureContext: true },
  { name: 'pipe proxy', linkProxy: 'pipe' },
  { name: 'no proxy', linkProxy: 'none' },
  { name: 'ctx+no proxy', reuseSecureContext: true, linkProxy: 'none' },
  { name: 'baseline', baseline: true },
  { name: 'baseline+pipe', baseline: true, linkPipes: true },
];

export interface VariantFigures {
  name: string;
  p50: number;
  /** Process CPU (user+system) per message in the 10-in-flight run, ms: what bounds throughput. */
  cpuPerMessage: number;
  perSecond: number;
  /** Mean real ms per SmtpClient session step (mailhop variants only). */
  steps: Map<string, number>;
  /** Mean real ms from the sender's `queued` to the receiver's `accepted`, per link. */
  links: Map<string, number>;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function diagnose(rounds: number, messages: number, throughputMessages: number): Promise<VariantFigures[]> {
  installWhatIf();
  const queuedAt = new Map<string, number>();
  let links = new Map<string, number>();
  const onEvent = (e: TraceEvent, t: number) => {
    if (e.kind === 'queued') queuedAt.set(`${e.link} ${e.messageId}`, t);
    if (e.kind !== 'accepted') return;
    const q = queuedAt.get(`${e.link} ${e.messageId}`);
    if (q !== undefined) links.set(e.link, (links.get(e.link) ?? 0) + t - q);
  };
  const acc = VARIANTS.map(() => ({ lat: [] as number[], cpu: 0, n: 0, sent: 0, wall: 0, steps: new Map<string, number>(), sessions: 0, links: new Map<string, number>() }));
  try {
    // Round -1 is untimed: it JIT-warms every variant's code (see compare-paths.ts `warmupRound`).
    for (let round = -1; round < rounds; round++) {
      for (const [v, variant] of VARIANTS.entries()) {
        whatIf.reuseSecureContext = variant.reuseSecureContext ?? false;
        whatIf.linkProxy = variant.linkProxy ?? 'mailhop';
        let path: MessagePath;
        if (variant.baseline) path = await startBaselinePath({ hops: 3, greeting: 'patched', linkPipes: variant.linkPipes });
        else {
          const mailhop = await startMailhopPath(offerChain(3));
          mailhop.subscribe(onEvent);
          path = mailhop;
        }
        try {
          await measureLatency(path, 0, 5);
          resetSteps();
          links = new Map();
          queuedAt.clear();
          const lat = await measureLatency(path, messages, 0);
          if (round < 0) {
            await measureThroughput(path, throughputMessages, 10);
            continue;
          }
          const a = acc[v];
          a.n += messages;
          a.lat.push(...lat.samples.delivered);
          a.sessions += steps.sessions;
          for (const [k, ms] of steps.ms) a.steps.set(k, (a.steps.get(k) ?? 0) + ms);
          for (const [k, ms] of links) a.links.set(k, (a.links.get(k) ?? 0) + ms);
          const c0 = cpuMs();
          const thr = await measureThroughput(path, throughputMessages, 10);
          a.cpu += cpuMs() - c0;
          a.sent += thr.sent;
          a.wall += thr.wallMs;
        } finally {
          await path.stop();
        }
      }
    }
  } finally {
    whatIf.reuseSecureContext = false;
    whatIf.linkProxy = 'mailhop';
  }
  return acc.map((a, v) => ({
    name: VARIANTS[v].name,
    p50: summarize(a.lat).p50,
    cpuPerMessage: a.cpu / a.sent,
    perSecond: (a.sent / a.wall) * 1000,
    steps: new Map([...a.steps].map(([k, ms]) => [k, a.sessions ? ms / a.sessions : 0])),
    links: new Map([...a.links].map(([k, ms]) => [k, ms / a.n])),
  }));
}

/** The diagnosis as a text table: one column per variant. */
export function renderDiagnosis(figures: readonly VariantFigures[]): string {
  const w = 15;
  const head = `${''.padEnd(26)}${figures.map((f) => f.name.padStart(w)).join('')}`;
  const row = (label: string, value: (f: VariantFigures) => number | undefined, digits = 2) =>
    `${label.padEnd(26)}${figures.map((f) => { const x = value(f); return (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits)).padStart(w); }).join('')}`;
  const stepNames = [...figures[0].steps.keys()];
  const linkNames = [...figures[0].links.keys()];
  return [
    head,
    ...stepNames.map((s) => row(`  ${s}`, (f) => f.steps.get(s))),
    ...linkNames.map((l) => row(`link ${l}`, (f) => f.links.get(l))),
    row('e2e latency p50, ms', (f) => f.p50, 1),
    row('throughput, msgs/s', (f) => f.perSecond, 1),
    row('  CPU per message, ms', (f) => f.cpuPerMessage, 1),
  ].join('\n');
}

/** What each switch saves, in CPU per message (what bounds throughput) and latency p50. */
export function renderAttribution(figures: readonly VariantFigures[]): string {
  const by = new Map(figures.map((f) => [f.name, f]));
  const get = (name: string) => by.get(name) as VariantFigures;
  const m = get('mailhop');
  const line = (label: string, from: VariantFigures, to: VariantFigures) =>
    `  ${label.padEnd(58)}${(from.cpuPerMessage - to.cpuPerMessage).toFixed(1).padStart(6)} ms CPU/msg  ${(from.p50 - to.p50).toFixed(1).padStart(6)} ms p50`;
  return [
    'Saved per message (positive = cost that mailhop pays):',
    line('one reused TLS context instead of `ca` per tls.connect', m, get('reused TLS ctx')),
    line('LinkProxy + wire witness -> bare TCP relay', m, get('pipe proxy')),
    line('bare TCP relay -> no proxy (the extra hop itself)', get('pipe proxy'), get('no proxy')),
    line('mailhop with both removed vs baseline (rest of mailhop)', get('ctx+no proxy'), get('baseline')),
    `  baseline+pipe / baseline CPU per message: ${ratioOf(get('baseline+pipe').cpuPerMessage, get('baseline').cpuPerMessage)}; mailhop / baseline+pipe: ${ratioOf(m.cpuPerMessage, get('baseline+pipe').cpuPerMessage)}`,
  ].join('\n');
}

const ratioOf = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
