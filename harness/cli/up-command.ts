import { loadOrReport } from './load-or-report.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { startChain, type StartedChain } from '../chain/chain.js';
import { MailhopError } from '../errors.js';
import { renderHopAddresses } from '../report/live-verdict.js';
import { UP_CHAIN_OPTIONS, watchChain } from '../report/live-watch.js';

/** Where `up` writes and which signals stop it (process.stdout and process, or fakes). */
export interface UpIo {
  stdout: { write(text: string): unknown };
  signals: Pick<NodeJS.Process, 'once' | 'off'>;
}

/**
 * `mailhop up <scenario>`: starts the scenario's chain and keeps it running for mail sent by hand
 * (swaks, `openssl s_client -starttls smtp`, a mail client); prints each hop's addresses, then each
 * message's per-link verdict as it is delivered. SIGINT or SIGTERM stops every hop and proxy and
 * resolves 0 once the ports are closed; 2 for a bad scenario file. `allowExternal`: as for `run`
 * (`engine: external` hops may name non-loopback addresses).
 */
export async function upCommand(path: string, io: UpIo = { stdout: process.stdout, signals: process }, options: { allowExternal?: boolean } = {}): Promise<number> {
  const loaded = await loadOrReport(() => loadScenarioFile(path));
  if (!loaded) return 2;
  const { scenario, file } = loaded;
  let chain: StartedChain;
  try {
    chain = await startChain(scenario, { file, ...UP_CHAIN_OPTIONS, allowExternal: options.allowExternal ?? false });
  } catch (err) {
    // The chain stopped whatever it had started; say why in one line (a busy port, a non-loopback address).
    if (!(err instanceof MailhopError)) throw err;
    process.stderr.write(`mailhop up: ${err.message}\n`);
    return 2;
  }
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say(renderHopAddresses(scenario, chain.hops, file));

  const watch = watchChain(chain, say);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.signals.off('SIGINT', onInt);
      io.signals.off('SIGTERM', onTerm);
      say(`\n${signal}: stopping the chain…`);
      resolve();
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    io.signals.once('SIGINT', onInt);
    io.signals.once('SIGTERM', onTerm);
  });
  watch.stop();
  await chain.stop();
  say(`stopped: ${chain.hops.length * 2} ports closed`);
  return 0;
}
