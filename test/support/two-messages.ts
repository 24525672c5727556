/**
 * Two messages to one destination whose TLS handshake fails (the next hop answers the ClientHello with a
 * handshake_failure alert), through a real engine or a preset: what each connection on the relay's outbound link
 * carried shows what the sender remembered of the first failure (docs/behaviour.md#B-fallback-memory).
 */
import type { WireRecord } from '../../harness/link/wire-record.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { runScenario, type EngineRun } from './engine.js';

const TWO = [1, 2].map((i) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject: `message ${i}` }));
const ALERT = { starttls: 'break-handshake', how: 'alert' } as const;

/** Two messages through `relay` (the real engine, or the preset of the same name) to `mx`, whose handshake fails. */
export function twoMessages(relay: { engine: RealEngineName } | { preset: string }): Promise<EngineRun> {
  // OpenSMTPD 6.8.0p2 cannot take STARTTLS inbound here (docs/engines.md): submit in plaintext to every target alike.
  return runScenario({
    submit: { tls: 'none' },
    hops: [{ id: 'relay', inbound: { starttls: 'none' }, ...relay }, { id: 'mx', inbound: ALERT }],
    messages: TWO,
  });
}

/**
 * The connections on relay->mx, in order, including one the engine still held open when the run was judged
 * (OpenSMTPD keeps an idle session 10 s after its last message; its record comes as the chain stops).
 */
export function wireOf(run: EngineRun): WireRecord[] {
  return run.wire('relay->mx');
}

/** Each connection as `STARTTLS failed` or `plain m1,m2` (the messages whose content crossed in clear). */
export function crossed(run: EngineRun): string[] {
  return wireOf(run).map((w) => (w.starttlsSent ? `STARTTLS ${w.handshake}` : `plain ${[...w.plaintextMessageIds].sort().join(',')}`));
}
