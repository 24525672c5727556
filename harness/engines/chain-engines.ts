/**
 * The engine side of a chain (chain/chain.ts stays about mocks): where the hops mailhop does not
 * mock are reached, starting the real engines once the link proxies they relay to listen, and the
 * list of hops whose queues only their logs and neighbours can tell about.
 */
import { MailhopError } from '../errors.js';
import type { Scenario } from '../scenario/schema.js';
import type { KeyCert } from '../pki/run-pki.js';
import type { Trace } from '../trace/trace.js';
import { ENGINES } from './engines.js';
import type { OpaqueHop } from './engine-holds.js';
import { isLoopback, pickEngineAddress } from './free-address.js';
import { startEngine, type StartedEngine, type StartEngineOptions } from './start-engine.js';

type Address = { host: string; port: number };

/** Per hop: where its link proxy forwards to (engines, external), and where that proxy listens (the hop after an external one). */
export interface OpaqueAddresses {
  target?: Address;
  proxyListen?: { host: string; port?: number };
}

function checkAddress(host: string, what: string, allowExternal: boolean): void {
  if (!isLoopback(host) && !allowExternal) {
    throw new MailhopError('ECHAIN', `refusing ${what} ${host}: not a loopback address (127.0.0.0/8); only startChain(scenario, { allowExternal: true }) uses one`);
  }
}

/**
 * Picks a fresh loopback address for every real engine and checks the external hops' addresses.
 * @throws MailhopError `ECHAIN` for a non-loopback address without `allowExternal`.
 */
export async function planOpaqueAddresses(scenario: Scenario, allowExternal: boolean): Promise<OpaqueAddresses[]> {
  return Promise.all(
    scenario.hops.map(async (hop, i): Promise<OpaqueAddresses> => {
      if (hop.engine === 'external') {
        checkAddress(hop.host!, `external hop ${hop.id} at`, allowExternal);
        return { target: { host: hop.host!, port: hop.port! } };
      }
      if (hop.engine !== undefined && hop.engine !== 'mock') return { target: await pickEngineAddress() };
      if (i > 0 && scenario.hops[i - 1].engine === 'external') {
        const host = hop.host ?? '127.0.0.1';
        checkAddress(host, `hop ${hop.id} listening on`, allowExternal);
        return { proxyListen: { host, ...(hop.port ? { port: hop.port } : {}) } };
      }
      return {};
    }),
  );
}

/** The hops whose queues mailhop cannot see (real engines and external gateways), for EngineHolds. */
export function opaqueHopsOf(scenario: Scenario, linkNames: readonly string[]): OpaqueHop[] {
  return scenario.hops.flatMap((hop, i) =>
    hop.engine === undefined || hop.engine === 'mock'
      ? []
      : [{
          hopId: hop.id,
          inboundLink: linkNames[i],
          outboundLink: linkNames[i + 1] ?? null,
          settleAfterDeferrals: hop.engine === 'external' ? Infinity : ENGINES[hop.engine].settleAfterDeferrals,
          logged: hop.engine !== 'external',
        }],
  );
}

export interface StartChainEnginesOptions {
  scenario: Scenario;
  hostnames: readonly string[];
  linkNames: readonly string[];
  certs: readonly KeyCert[];
  caCert: string;
  addresses: readonly OpaqueAddresses[];
  /** Where each link's proxy listens (index = the hop it leads to). */
  proxies: readonly Address[];
  trace: Trace;
  now: () => number;
  /** The one message a hop holds, if exactly one. */
  onlyMessageAt: (hopId: string) => string | undefined;
  onMailbox: StartEngineOptions['onMailbox'];
}

/**
 * Starts every real engine of the chain, each relaying to the proxy of its outbound link.
 * @throws MailhopError `ECHAIN` when one does not start (the others are stopped first).
 */
export async function startChainEngines(o: StartChainEnginesOptions): Promise<StartedEngine[]> {
  const results = await Promise.allSettled(
    o.scenario.hops.flatMap((hop, i) =>
      hop.engine === undefined || hop.engine === 'mock' || hop.engine === 'external'
        ? []
        : [
            startEngine({
              hop,
              hostname: o.hostnames[i],
              listen: o.addresses[i].target!,
              next: o.proxies[i + 1] ?? null,
              keyCert: o.certs[i],
              caCert: o.caCert,
              inboundLink: o.linkNames[i],
              outboundLink: o.linkNames[i + 1] ?? null,
              trace: o.trace,
              now: o.now,
              guessMessage: () => o.onlyMessageAt(hop.id),
              onMailbox: o.onMailbox,
            }),
          ],
    ),
  );
  // An external gateway has no log here; this fact tells the link verdict who sends on its outbound link.
  o.scenario.hops.forEach((hop, i) => {
    if (hop.engine !== 'external') return;
    o.trace.emit({
      kind: 'engine', source: 'engine', link: o.linkNames[i + 1], hop: hop.id, engine: 'external', fact: 'started',
      line: `external gateway at ${hop.host}:${hop.port}, not started by mailhop`,
    });
  });
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(started.map((e) => e.stop()));
    throw failed.reason;
  }
  return started;
}
