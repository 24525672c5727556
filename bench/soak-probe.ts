/**
 * What the soak runs (soak.ts, soak-up.ts) measure at each point: memory after a full GC (RSS, heap
 * used), open handles and file descriptors, CPU time since the previous point, and the trace's size;
 * printed as a line while running and as a markdown table at the end.
 */
import { readdirSync } from 'node:fs';

/** One measuring point. */
export interface Sample {
  label: string;
  /** Messages sent, and messages whose outcome is known (delivered, or printed by `up`). */
  sent: number;
  done: number;
  rssMb: number;
  heapMb: number;
  handles: number;
  fds: number;
  /** Trace events kept in memory, or `-` when the chain is gone. */
  events: number | string;
  /** CPU time (user + system) since the previous point, ms, per message done since then. */
  cpuMsPerMessage?: number;
  /** Wall time since the probe started, s. */
  seconds: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const MB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

/** Takes samples; the first one is taken at construction. */
export class SoakProbe {
  readonly samples: Sample[] = [];
  readonly #started = performance.now();
  #cpu = process.cpuUsage();
  #done = 0;

  constructor(private readonly name: string) {
    if (!gc) process.stderr.write(`${name}: run with node --expose-gc (npm run bench:soak does) for memory after a full GC\n`);
    this.take('start', 0, 0, 0);
  }

  /** Measures now (after a full GC: retained memory, not garbage waiting for a collection) and prints a line. */
  take(label: string, sent: number, done: number, events: number | string): Sample {
    const cpu = process.cpuUsage(this.#cpu);
    this.#cpu = process.cpuUsage();
    const newly = done - this.#done;
    this.#done = done;
    gc?.();
    const memory = process.memoryUsage();
    const s: Sample = {
      label, sent, done, rssMb: MB(memory.rss), heapMb: MB(memory.heapUsed), handles: handles(), fds: readdirSync('/proc/self/fd').length, events,
      ...(newly > 0 ? { cpuMsPerMessage: Math.round(((cpu.user + cpu.system) / 1000 / newly) * 10) / 10 } : {}),
      seconds: Math.round((performance.now() - this.#started) / 100) / 10,
    };
    this.samples.push(s);
    process.stderr.write(
      `${this.name}: ${s.label.padEnd(10)} sent ${String(s.sent).padStart(6)}  done ${String(s.done).padStart(6)}  rss ${s.rssMb.toFixed(1).padStart(7)} MB  ` +
        `heap ${s.heapMb.toFixed(1).padStart(7)} MB  handles ${String(s.handles).padStart(4)}  fds ${String(s.fds).padStart(4)}  ` +
        `trace ${String(s.events).padStart(7)} events  cpu ${s.cpuMsPerMessage === undefined ? '     -' : s.cpuMsPerMessage.toFixed(1).padStart(6)} ms/msg  ${s.seconds} s\n`,
    );
    return s;
  }

  /** Waits up to `ms` for the handle count to fall back to the first sample's (closed servers leave the list a moment late). */
  async handlesSettled(ms = 2_000): Promise<void> {
    for (const deadline = Date.now() + ms; handles() > this.samples[0].handles && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
  }

  /** The samples as a markdown table. */
  table(): string {
    const rows = this.samples.map(
      (s) => `| ${s.label} | ${s.sent} | ${s.done} | ${s.rssMb.toFixed(1)} | ${s.heapMb.toFixed(1)} | ${s.handles} | ${s.fds} | ${s.events} | ${s.cpuMsPerMessage?.toFixed(1) ?? '-'} | ${s.seconds} |`,
    );
    return ['| point | sent | done | RSS MB | heap used MB | handles | fds | trace events | CPU ms/message | s |', '|---|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
  }
}

/** `--name value` from the command line as a number, or `fallback`. */
export function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
