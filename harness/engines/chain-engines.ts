/**
 * The engine side of starting a chain (chain/start-chain.ts stays about mocks): the real engines,
 * started once the link proxies they relay to listen, and the `hop-started` event of each external
 * server (it starts with no help from mailhop).
 */
import type { Scenario } from '../scenario/schema.js';
import type { KeyCert } from '../pki/run-pki.js';
import type { Trace } from '../trace/trace.js';
import { startEngine, type StartedEngine, type StartEngineOptions } from './start-engine.js';
import { mailhopIdOfMessageId, type AcceptedIdOf } from './engine-definition.js';
import type { EngineDsn } from './engine-fact-events.js';
import { dnsRequiresTlsWords, dnsPolicyOf, routesByMx } from './engine-dns.js';

type Address = { host: string; port: number };

export interface StartChainEnginesOptions {
  scenario: Scenario;
  hostnames: readonly string[];
  linkNames: readonly string[];
  /** Per hop; null for an external one (it presents its own). */
  certs: ReadonlyArray<KeyCert | null>;
  caCert: string;
  /** Per hop: where a real engine listens (picked by the chain), null for the others. */
  addresses: ReadonlyArray<Address | null>;
  /** Where each link's proxy listens (index = the hop it leads to). */
  proxies: readonly Address[];
  trace: Trace;
  now: () => number;
  /** The one message a hop holds, if exactly one. */
  onlyMessageAt: (hopId: string) => string | undefined;
  onMailbox: StartEngineOptions['onMailbox'];
  /** Engine hop `hopId` bounced a message whose sender gets a DSN. */
  onDsn?: (hopId: string, dsn: EngineDsn) => void;
  /**
   * Under `mailhop up`: gives mail sent by hand to a real engine as the first hop an id when the engine logs
   * accepting it (chain/delivery-ids.ts `adopt`), from its Message-ID, so its submission link is reported.
   */
  adoptHandSent?: (messageId: string) => string;
  /** The run's DNS server's address (port 53), for the engines that route by MX (engine-dns.ts). */
  nameserver?: string;
}

/**
 * Starts every real engine of the chain, each relaying to the proxy of its outbound link.
 * @throws MailhopError `ENOENGINE` or `ESTART` when one does not start (the others are stopped first).
 */
export async function startChainEngines(o: StartChainEnginesOptions): Promise<StartedEngine[]> {
  const results = await Promise.allSettled(
    o.scenario.hops.flatMap((hop, i) =>
      hop.engine === 'mock' || hop.engine === 'external'
        ? []
        : [
            startEngine({
              hop,
              hostname: o.hostnames[i],
              listen: o.addresses[i]!,
              next: o.proxies[i + 1] ? { ...o.proxies[i + 1], hostname: o.hostnames[i + 1] } : null,
              keyCert: o.certs[i]!,
              caCert: o.caCert,
              inboundLink: o.linkNames[i],
              outboundLink: o.linkNames[i + 1] ?? null,
              ...(o.nameserver && routesByMx(hop.outbound) ? { dns: { nameserver: o.nameserver } } : {}),
              ...(o.scenario.hops[i + 1] ? { dnsRequiresTls: dnsRequiresTlsWords(dnsPolicyOf(hop.outbound), o.scenario.dns, o.scenario.hops[i + 1].id) } : {}),
              trace: o.trace,
              now: o.now,
              guessMessage: () => o.onlyMessageAt(hop.id),
              ...(i === 0 && o.adoptHandSent ? { acceptedIdOf: handSentIds(o.adoptHandSent) } : {}),
              onMailbox: o.onMailbox,
              ...(o.onDsn ? { onDsn: (dsn: EngineDsn) => o.onDsn!(hop.id, dsn) } : {}),
            }),
          ],
    ),
  );
  // An external server has no log here: its hop-started event says who sends on its outbound link.
  o.scenario.hops.forEach((hop, i) => {
    if (hop.engine !== 'external') return;
    o.trace.emit({
      kind: 'hop-started', source: 'chain', link: o.linkNames[i], hop: hop.id, hopKind: 'external', outboundLink: o.linkNames[i + 1] ?? null,
      address: { host: hop.host, port: hop.port }, line: `external gateway at ${hop.host}:${hop.port}, not started by mailhop`,
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

/** The chain's own id of a Message-ID, or an adopted one for any other (none without a Message-ID: nothing to tie). */
function handSentIds(adopt: (messageId: string) => string): AcceptedIdOf {
  return (messageId) => mailhopIdOfMessageId(messageId) ?? (messageId ? adopt(messageId) : undefined);
}
