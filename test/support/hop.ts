/**
 * One hop on its own for tests: its server (and front) on an ephemeral loopback port with a generated
 * certificate, and the trace it records. Speak to it with dialog.ts (`dial`, `cmd`).
 */
import { VirtualClock } from '../../harness/chain/virtual-clock.js';
import { startHopServer, type AcceptedMessage, type StartedHopServer } from '../../harness/mta/hop-server.js';
import type { HopLimits } from '../../harness/mta/hop-limits.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { Inbound, type Inbound as InboundInput } from '../../harness/scenario/schema.js';
import { Trace } from '../../harness/trace/trace.js';
import type { z } from 'zod';

export const HOSTNAME = 'mx.mailhop.test';
export const LINK = 'client->mx';

/** A started hop with what it recorded. */
export interface TestHop extends AsyncDisposable {
  server: StartedHopServer;
  trace: Trace;
  pki: RunPki;
  accepted: AcceptedMessage[];
}

/** Starts hop `mx` with the given inbound settings (schema defaults filled) and limits (defaults otherwise). */
export async function startTestHop(inbound: z.input<typeof Inbound> = {}, limits: Partial<HopLimits> = {}): Promise<TestHop> {
  const clock = new VirtualClock();
  const trace = new Trace(clock);
  const pki = await RunPki.create();
  const parsed: InboundInput = Inbound.parse(inbound);
  const accepted: AcceptedMessage[] = [];
  const server = await startHopServer({
    hopId: 'mx', hostname: HOSTNAME, inbound: parsed, keyCert: await pki.issue(HOSTNAME, parsed.cert),
    inboundLink: LINK, emit: (event) => trace.emit(event), date: () => clock.date(), onMessage: (m) => accepted.push(m), limits,
  });
  return { server, trace, pki, accepted, [Symbol.asyncDispose]: () => server.stop() };
}
