import { loadOrReport } from './load-or-report.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { startChain, type StartedChain } from '../chain/chain.js';
import { MailhopError } from '../errors.js';
import type { TraceEvent } from '../trace/events.js';
import { renderDeferred, renderHopAddresses, renderLiveVerdict } from '../report/live-verdict.js';
import { listenForInterrupt } from './interrupt.js';
import { terminalSafe } from '../report/terminal-safe.js';

/** Where `up` writes and which signals stop it (process.stdout and process, or fakes). */
export interface UpIo {
  stdout: { write(text: string): unknown };
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * Something that runs beside `up` once the chain has started (the web view, `--web`): told of each message whose
 * verdicts are final, stopped before the chain.
 */
export interface UpAttachment {
  settled(messageId: string): void;
  stop(): Promise<void>;
}

/** Options of {@link upCommand}. */
export interface UpOptions {
  /** As for `run`: `engine: external` hops may name non-loopback addresses. */
  allowExternal?: boolean;
  /** Fixed "send to" ports: hop i's link proxy listens on `portBase + i` (`--port-base`). */
  portBase?: number;
  /** Started once the chain runs (`--web`); a MailhopError it throws stops the chain and exits 2. */
  attach?: (chain: StartedChain, say: (line: string) => void, file: string) => Promise<UpAttachment>;
}

/**
 * `mailhop up <scenario>`: starts the scenario's chain and keeps it running for mail sent by hand
 * (swaks, `openssl s_client -starttls smtp`, a mail client); prints each hop's addresses, then each
 * message's per-link verdict as it is delivered. SIGINT or SIGTERM stops every hop and proxy and
 * resolves 0 once the ports are closed (a second signal ends the process at once); 2 for a bad scenario file, a port
 * that cannot be bound or an attachment that cannot start.
 */
export async function upCommand(path: string, io: UpIo = { stdout: process.stdout, signals: process }, options: UpOptions = {}): Promise<number> {
  const loaded = await loadOrReport(() => loadScenarioFile(path, { allowExternal: options.allowExternal }));
  if (!loaded) return 2;
  const { scenario, file } = loaded;
  let chain: StartedChain;
  try {
    chain = await startChain(scenario, { file, stampMissingId: true, allowExternal: options.allowExternal ?? false, portBase: options.portBase });
  } catch (err) {
    // The chain stopped whatever it had started; say why in one line (a busy port, a non-loopback address).
    if (!(err instanceof MailhopError)) throw err;
    process.stderr.write(`mailhop up: ${terminalSafe(err.message)}\n`);
    return 2;
  }
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say(renderHopAddresses(scenario, chain.hops, file));
  let attached: UpAttachment | undefined;
  try {
    attached = await options.attach?.(chain, say, file);
  } catch (err) {
    await chain.stop();
    if (!(err instanceof MailhopError)) throw err;
    process.stderr.write(`mailhop up: ${terminalSafe(err.message)}\n`);
    return 2;
  }

  const watch = watchChain(chain, say, (id) => attached?.settled(id));
  // The first signal stops the chain; a second one leaves at once (interrupt.ts).
  await new Promise<void>((resolve) => {
    listenForInterrupt(io.signals, (signal) => {
      say(`\n${signal}: stopping the chain…`);
      resolve();
    });
  });
  watch.stop();
  await attached?.stop();
  await chain.stop();
  say(`stopped: ${chain.hops.length * 2} ports closed`);
  return 0;
}

/**
 * Follows the trace: a message that arrives starts the virtual clock (so retries happen), a
 * deferral is printed at once, and a message that is delivered or given up is printed once the
 * chain is quiet again (its wire records are in by then); `settled` hears of each message printed so.
 */
function watchChain(chain: StartedChain, say: (line: string) => void, settled: (messageId: string) => void): { stop(): void } {
  const printed = new Set<string>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let stopped = false;
  let settling: Promise<void> = Promise.resolve();
  const firstHop = chain.hops[0].id;

  const flush = (result: 'done' | 'limit' | 'stopped') => {
    if (stopped) return;
    const events = chain.events();
    for (const id of finished) {
      if (printed.has(id)) continue;
      printed.add(id);
      say(renderLiveVerdict(chain.scenario, events, id));
      settled(id);
    }
    if (result !== 'limit') return;
    // Out of virtual time: what is still queued stays held; say so once.
    for (const id of seen) {
      if (printed.has(id) || finished.has(id)) continue;
      printed.add(id);
      const holder = events.filter((e): e is Extract<TraceEvent, { kind: 'queued' }> => e.kind === 'queued' && e.messageId === id).at(-1);
      say(renderLiveVerdict(chain.scenario, events, id, { hop: holder?.hop ?? firstHop }));
      settled(id);
    }
  };
  const settle = () => {
    settling = settling.then(async () => flush(await chain.settle()));
  };
  const unsubscribe = chain.subscribe((e) => {
    if (stopped) return;
    if (e.kind === 'queued') {
      seen.add(e.messageId);
      if (e.hop === firstHop) settle();
    } else if (e.kind === 'deferred') {
      say(renderDeferred(e));
    } else if (e.kind === 'delivered' || e.kind === 'bounced') {
      finished.add(e.messageId);
      settle();
    }
  });
  return {
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}
