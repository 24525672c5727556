import { loadOrReport } from './load-or-report.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { startChain, type StartedChain } from '../chain/chain.js';
import { exitCodeOf, MailhopError } from '../errors.js';
import type { RuntimeName } from '../runtime/runtime.js';
import { renderHopAddresses } from '../report/live-verdict.js';
import { UP_CHAIN_OPTIONS, watchChain } from '../report/live-watch.js';
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
  /** Where hops and link proxies run (`--runtime`); default `MAILHOP_RUNTIME`, else in-process. */
  runtime?: RuntimeName;
  /** Started once the chain runs (`--web`); a MailhopError it throws stops the chain and exits with its code's exit code (errors.ts). */
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
    chain = await startChain(scenario, {
      file, ...UP_CHAIN_OPTIONS, allowExternal: options.allowExternal ?? false, portBase: options.portBase, ...(options.runtime ? { runtime: options.runtime } : {}),
    });
  } catch (err) {
    // The chain stopped whatever it had started; say why in one line (a busy port, a non-loopback address).
    if (!(err instanceof MailhopError)) throw err;
    process.stderr.write(`mailhop up: ${terminalSafe(err.message)}\n`);
    return exitCodeOf(err);
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
    return exitCodeOf(err);
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

