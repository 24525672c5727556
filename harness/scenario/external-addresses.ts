/**
 * The addresses a scenario file names off this machine: an `engine: external` hop's `host`, and the `host`
 * of the hop after it (where that hop's link proxy listens for the gateway). Everything else mailhop
 * picks on loopback itself. Loading a file refuses them, as `run` and `up` would, unless the caller
 * allows external addresses (`--allow-external`, `{ allowExternal: true }`).
 */
import { isLoopback } from '../engines/free-address.js';
import type { Scenario } from './schema.js';

/** A non-loopback address in a scenario: the key path of its `host` and the problem text. */
export interface ExternalAddress {
  path: PropertyKey[];
  message: string;
}

const WHY = 'not a loopback address (127.0.0.0/8); only --allow-external (API: { allowExternal: true }) lets a scenario reach another machine';

/**
 * Every non-loopback `host` of a parsed scenario, in hop order (engines/chain-engines.ts refuses the same
 * ones when a chain starts).
 * @returns empty when every address is loopback.
 */
export function externalAddresses(scenario: Scenario): ExternalAddress[] {
  const found: ExternalAddress[] = [];
  scenario.hops.forEach((hop, i) => {
    const afterExternal = i > 0 && scenario.hops[i - 1].engine === 'external';
    if (hop.host === undefined || isLoopback(hop.host)) return;
    if (hop.engine === 'external') found.push({ path: ['hops', i, 'host'], message: `external hop ${hop.id} at ${hop.host}: ${WHY}` });
    else if (afterExternal) found.push({ path: ['hops', i, 'host'], message: `hop ${hop.id} listening on ${hop.host}: ${WHY}` });
  });
  return found;
}
