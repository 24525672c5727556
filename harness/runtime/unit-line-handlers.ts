/**
 * What the chain does with a line from a unit that runs elsewhere (control-line.ts), whatever carries it: a
 * container's control socket (control-server.ts) or a worker thread's message port (worker-runtime.ts). A hop's
 * lines become its hooks' calls (trace events, accepted messages, id claims); a link proxy's the same for
 * connections, wire records, stalls and `clientOf` answers.
 */
import type { WireRecord } from '../link/wire-record.js';
import type { PendingAnswers, ChainLine, UnitLine } from './control-line.js';
import type { HopHooks, LinkProxyHooks } from './runtime.js';
import type { IdDecision, PeerEnd } from '../mta/id-claim.js';

/**
 * A hop's line: a trace event, an accepted message (raw in base64; acknowledged with `owned` once the chain has it
 * when the hop asked), or a claim the chain settles. `answer` sends a line back to the hop.
 */
export function onHopLine(hooks: HopHooks, line: UnitLine, answer: (line: ChainLine) => void): void {
  if ('event' in line) hooks.emit(line.event);
  else if ('message' in line) {
    hooks.onMessage({ ...line.message, raw: Buffer.from(line.message.raw, 'base64') });
    if (line.ack !== undefined) answer({ owned: line.ack });
  } else if ('claim' in line) {
    const { n, claim } = line.claim;
    // The hop asks only when the chain settles ids (plan.askIds); the fallback believes, as without `up`.
    const decide = (decision: IdDecision) => answer({ decision: { n, decision } });
    if (!hooks.assignId) decide({ believed: true, id: claim.id ?? '' });
    else void Promise.resolve(hooks.assignId(claim)).then(decide);
  }
}

/** A link proxy's line: a connection opened, a wire record, a stalled connection, or the answer to a `clientOf` question. */
export function onLinkProxyLine(hooks: LinkProxyHooks, clients: PendingAnswers<PeerEnd | undefined>, line: UnitLine): void {
  if ('open' in line) hooks.onOpen();
  else if ('record' in line) hooks.onRecord(line.record as WireRecord);
  else if ('stalled' in line) hooks.stalled?.(line.stalled);
  else if ('client' in line) clients.answer(line.client.n, line.client.end);
}
