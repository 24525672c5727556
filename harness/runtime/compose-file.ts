/**
 * A docker compose file for a scenario: one service per hop and one per link proxy, each running
 * the mailhop image from its JSON plan (`MAILHOP_PLAN`, as the container runtime does), for poking by
 * hand. No chain drives it: each hop relays with its own queue (standalone-relay.ts), and every unit
 * prints its events as JSON lines (`docker compose logs -f`). The first link's proxy is published on
 * the host (`--publish`, default 2525), so `swaks --server 127.0.0.1:2525 --tls-optional ...` sends
 * into the chain.
 *
 * Networks: `bridge` (default): a user-defined bridge network `mailhop`, each hop reachable by its
 * hostname (`<id>.mailhop.test`) and each proxy by `<to>-link`. `host`: the host's network, each hop
 * and proxy on its own loopback address (127.0.1.n hops, 127.0.2.n proxies, port 25): for machines
 * that allow no bridge.
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { MailhopError } from '../errors.js';
import { linkNamesOf, type Scenario } from '../scenario/schema.js';
import type { UnitPlan } from './start-unit.js';
import type { LinkProxyPlan } from './runtime.js';
import type { StandaloneRelayPlan } from './standalone-relay.js';

const HOST_DOMAIN = 'mailhop.test';

/** Options of {@link composeFile}. */
export interface ComposeOptions {
  network?: 'bridge' | 'host';
  /** Host port the first proxy is published on (bridge network only; default 2525). */
  publish?: number;
  /** The mailhop image (default mailhop:local, built by scripts/container-image.sh). */
  image?: string;
}

/**
 * Renders the compose file (YAML) of a validated scenario. Mock hops only: engine hops are not containerised.
 * @throws MailhopError `EUSAGE` naming the first engine hop.
 */
export async function composeFile(scenario: Scenario, options: ComposeOptions = {}): Promise<string> {
  const network = options.network ?? 'bridge';
  const image = options.image ?? 'mailhop:local';
  const ids = scenario.hops.map((h) => h.id);
  const links = linkNamesOf(ids);
  const hostnames = ids.map((id) => `${id}.${HOST_DOMAIN}`);
  const bridge = network === 'bridge';
  const hopAddress = (i: number) => (bridge ? { host: hostnames[i], port: 25 } : { host: `127.0.1.${i + 1}`, port: 25 });
  const proxyName = (i: number) => `${ids[i]}-link`;
  const proxyAddress = (i: number) => (bridge ? { host: proxyName(i), port: 25 } : { host: `127.0.2.${i + 1}`, port: 25 });
  const services: Record<string, unknown> = {};
  // The hops' shared `X-Mailhop-Seal` key (standalone-ids.ts), fresh per file: not a TLS key, and in the bridge
  // network only the first proxy is published, where no id is believed anyway.
  const idKey = randomBytes(32).toString('base64');
  const common = (plan: unknown) => ({
    image,
    // compose interpolates `$`; a plan has none but a cipher string might.
    environment: { MAILHOP_PLAN: JSON.stringify(plan).replaceAll('$', '$$') },
    ...(bridge ? {} : { network_mode: 'host' }),
  });
  scenario.hops.forEach((hop, i) => {
    if (hop.engine !== 'mock') {
      throw MailhopError.of('EUSAGE', { where: `hop ${hop.id}`, what: 'run it in compose', why: `an engine hop (${hop.engine}) runs on this machine, not in a container`, hint: 'Run this scenario with mailhop run or up.', hop: hop.id });
    }
    if (hop.outbound?.route === 'mx') {
      // A compose file relays each hop to the next in the list; the run's DNS server and MX routing live in mailhop's process.
      throw MailhopError.of('EUSAGE', { where: `hop ${hop.id}`, what: 'run it in compose', why: 'it routes by MX (outbound.route: mx), and a compose file has no DNS: each hop relays to the next in the list', hint: 'Run this scenario with mailhop run or up.', hop: hop.id });
    }
    const relay: StandaloneRelayPlan | undefined = i === ids.length - 1 ? undefined : {
      link: links[i + 1],
      address: proxyAddress(i + 1),
      servername: hostnames[i + 1],
      implicitTls: scenario.hops[i + 1].inbound?.starttls === 'implicit',
      policy: hop.outbound,
      // Each compose hop makes its own CA when it starts (no key in the file), so nothing here can be
      // verified: a `verify` relay in a compose chain defers with certificate-not-trusted.
      ca: [],
    };
    const plan: UnitPlan = {
      kind: 'hop', hopId: hop.id, hostname: hostnames[i], inbound: hop.inbound, inboundLink: links[i],
      host: bridge ? '0.0.0.0' : hopAddress(i).host, port: 25, wallStart: 0, ...(relay ? { relay } : {}),
      ids: { binding: i === 0 ? 'none' : 'sealed', key: idKey },
    };
    services[hop.id] = {
      ...common(plan),
      ...(bridge ? { hostname: hop.id, domainname: HOST_DOMAIN, networks: { mailhop: { aliases: [hostnames[i]] } } } : {}),
    };
  });
  scenario.hops.forEach((_, i) => {
    const plan: LinkProxyPlan = {
      kind: 'link', name: links[i], host: bridge ? '0.0.0.0' : proxyAddress(i).host, port: 25, target: hopAddress(i),
      faults: [...scenario.links], servername: hostnames[i],
    };
    services[proxyName(i)] = {
      ...common(plan),
      depends_on: [ids[i]],
      ...(bridge ? { networks: ['mailhop'], ...(i === 0 ? { ports: [`127.0.0.1:${options.publish ?? 2525}:25`] } : {}) } : {}),
    };
  });
  const head = [
    `# mailhop compose file for scenario ${scenario.name} (written by \`mailhop compose\`; each hop makes its certificate when it starts, so the file holds no TLS key; \`ids.key\` seals the hops' X-Mailhop-Id, fresh per file).`,
    `# Build the image first: scripts/container-image.sh   (mailhop:local; --base-from-host when no image can be pulled)`,
    bridge
      ? `# Then: docker compose up -d; send to 127.0.0.1:${options.publish ?? 2525} (the ${links[0]} link); docker compose logs -f`
      : `# Then: docker compose up -d; send to ${proxyAddress(0).host}:25 (the ${links[0]} link); docker compose logs -f`,
    '',
  ].join('\n');
  // No subnet is set: the engine picks one when the network is created (only with `up`, never by `config`).
  const body = { version: '3.8', services, ...(bridge ? { networks: { mailhop: { driver: 'bridge' } } } : {}) };
  return head + stringify(body, { lineWidth: 0 });
}
