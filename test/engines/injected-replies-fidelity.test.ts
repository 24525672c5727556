/**
 * Reply lines injected after the 220 to STARTTLS (the audit case `inject-response`, docs/behaviour.md#A-inject-response),
 * each real engine against its preset (issue 12): Postfix and Sendmail discard the lines and stay on TLS; Exim 4.96
 * gives TLS up ("synch error before connect") and delivers on a new connection in clear; OpenSMTPD 6.8 drops the
 * connection and defers ("Remote host sent too much data"). The preset's row must agree with the engine's.
 */
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../harness/audit/run-audit.js';
import { presetProfiles } from '../../harness/audit/preset-profiles.js';
import { profileDifferences } from '../../harness/audit/compare-profiles.js';
import type { AuditRow } from '../../harness/audit/audit-row.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { availability, titled } from '../support/engine.js';

const CASES = ['inject-response'];

/**
 * A connection's wire summary without what races: who closed first (a QUIT's 221 against the client's close), and
 * whether a handshake the client ends at once reads `failed` or (when the server's TLS 1.3 session ticket crossed
 * first) established. Exim's first connection: `#1 STARTTLS 220, handshake, inject-response: replace`.
 */
function steady(summary: string): string {
  return summary.replace(/, closed by \w+(?: \(\w+\))?$/, '').replace(/, (?:TLSv1\.3|handshake failed \(closed by client\)),/, ', handshake,');
}

interface Expected {
  engine: RealEngineName;
  row: Partial<AuditRow>;
  /** How many of the first connections on the wire must read the same for engine and preset (the rest are retries or cached). */
  sameWire: number;
}

const EXPECTED: Expected[] = [
  { engine: 'postfix', row: { outcomes: ['delivered'], verdicts: ['tls'], sessions: [1] }, sameWire: 0 },
  { engine: 'sendmail', row: { outcomes: ['delivered'], verdicts: ['tls'], sessions: [1] }, sameWire: 0 },
  { engine: 'exim', row: { outcomes: ['delivered'], verdicts: ['stripped'], sessions: [2] }, sameWire: 2 },
  { engine: 'opensmtpd', row: { outcomes: ['deferred'], verdicts: ['refused'], reply: '451 Remote host sent too much data' }, sameWire: 1 },
];

for (const { engine, row, sameWire } of EXPECTED) {
  describe.skipIf(!availability(engine).usable)(titled(`inject-response: real ${engine} and its preset`, engine), () => {
    it('agree on the row: outcome, verdict, sessions, reply, and the first connections on the wire', async () => {
      const measured = await runAudit({ kind: 'engine', engine, set: {} }, { cases: CASES, engineSettleMs: 30_000 });
      const [models] = await presetProfiles([engine], { cases: CASES });
      if (!('profile' in models)) throw new Error(`preset ${engine} could not be audited: ${models.skipped}`);
      const [real] = measured.rows;
      const [model] = models.profile;
      expect(real, JSON.stringify(real)).toMatchObject(row);
      expect(model, JSON.stringify(model)).toMatchObject(row);
      expect(profileDifferences(measured.rows, models.profile)).toEqual([]);
      expect(model.wire.slice(0, sameWire).map(steady)).toEqual(real.wire.slice(0, sameWire).map(steady));
    }, 120_000);
  });
}
