/**
 * Feeds an SMTP dialogue to a fresh wire witness, byte for byte as it crossed: each step whole, or cut into
 * `size`-byte chunks (a reader must not depend on where TCP cut the stream). Returns the witness's record.
 */
import { WireWitness } from '../../harness/link/wire-witness.js';
import type { WireRecord } from '../../harness/link/wire-record.js';

/** One step: `C` the client sent it, `S` the server. */
export type Step = readonly ['C' | 'S', string | Buffer];

export function playWitness(steps: readonly Step[], size = Infinity): WireRecord {
  let clock = 1_000;
  const w = new WireWitness({ link: 'client->mx', seq: 1, clientPort: 40000, now: () => clock++ });
  for (const [dir, data] of steps) {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
    for (let at = 0; at < bytes.length; at += Math.min(size, bytes.length)) {
      const chunk = bytes.subarray(at, at + Math.min(size, bytes.length));
      if (dir === 'C') w.fromClient(chunk);
      else w.fromServer(chunk);
    }
  }
  w.closed('client');
  return w.record();
}
