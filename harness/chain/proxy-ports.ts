/**
 * Fixed "send to" ports: where a hop's link proxy listens when the scenario or the caller asks for a
 * port instead of an ephemeral one, so a system under test can be configured once (as Mailpit's SMTP
 * port 1025 is). Hop servers stay on ephemeral ports: only the proxy is what senders connect to.
 */
import { listenFailure, MailhopError } from '../errors.js';
import type { Scenario } from '../scenario/schema.js';

/** Where one hop's link proxy was asked to listen, and who asked (for the error when it cannot). */
export interface FixedProxyPort {
  port: number;
  /** `--port-base 1025`, or `port: on hop sendmail` (the scenario). */
  from: string;
}

/**
 * The fixed port of hop `i`'s link proxy, or undefined for an ephemeral one. A `port:` the scenario gives
 * the proxy (on the first hop, or on a mock after an external gateway) wins over `portBase`, which puts hop i
 * on `portBase + i`. An external hop's own `port:` is its server's address, not its proxy's.
 */
export function fixedProxyPort(scenario: Scenario, i: number, portBase: number | undefined): FixedProxyPort | undefined {
  const hop = scenario.hops[i];
  if (hop.engine === 'mock' && hop.port !== undefined) return { port: hop.port, from: `port: ${hop.port} on hop ${hop.id}` };
  if (portBase !== undefined) return { port: portBase + i, from: `--port-base ${portBase}` };
  return undefined;
}

/**
 * Checks that `portBase + i` is a port for every hop of the chain.
 * @throws MailhopError `EUSAGE` naming the base and the ports the hops need when it is not.
 */
export function checkPortBase(scenario: Scenario, portBase: number | undefined): void {
  if (portBase === undefined) return;
  const last = portBase + scenario.hops.length - 1;
  if (!Number.isInteger(portBase) || portBase < 1 || last > 65535) {
    throw MailhopError.of('EUSAGE', {
      where: `--port-base ${portBase}`, what: `place ${scenario.hops.length} hops`,
      why: `hop i listens on ${portBase} + i, so they need ports ${portBase}..${last}, within 1..65535`,
    });
  }
}

/**
 * The error for a fixed proxy port that could not be listened on: which hop, which address, who asked
 * for it and why it failed (`EADDRINUSE`: another program, or another mailhop, holds the port).
 */
export function fixedPortError(err: unknown, hop: string, link: string, address: { host: string; port: number }, fixed: FixedProxyPort): MailhopError {
  const errno = err instanceof Error ? ((err.cause as NodeJS.ErrnoException | undefined) ?? (err as NodeJS.ErrnoException)) : undefined;
  return MailhopError.of('EBIND', {
    where: `hop ${hop}`, hop, link,
    what: `listen on ${address.host}:${address.port}, its "send to" address (the link proxy of ${link}, from ${fixed.from})`,
    why: errno?.code || errno?.message ? listenFailure(errno) : String(err),
    cause: err,
  });
}
