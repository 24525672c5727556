/**
 * `outbound.tlsCiphers` on a real engine is the cipher list its client offers, written into the product's own
 * setting (Postfix: the `high` grade's list, Sendmail: `CipherList` of its client connections, OpenSMTPD:
 * `smtp ciphers`; Exim, built on GnuTLS, refuses it: test/engines/engine-support.test.ts). The next hop accepts
 * only eNULL suites over TLS 1.2 (docs/behaviour.md#A-enull): with `ALL:eNULL:@SECLEVEL=0` the engine negotiates
 * one, and the wire sees a TLS session that encrypts nothing; with its own list the handshake fails.
 */
import { describe, expect, it } from 'vitest';
import type { AcceptedEvent } from '../../harness/trace/events.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { availability, runScenario, summary, titled, type EngineRun } from '../support/engine.js';

const ENULL_ONLY = { tls: { maxVersion: 'TLSv1.2', ciphers: 'eNULL:@SECLEVEL=0' } };

function towardsEnullOnly(engine: RealEngineName, outbound: Record<string, unknown>): Promise<EngineRun> {
  // OpenSMTPD takes no inbound STARTTLS here (engine-hop.ts); the link under test is the one it sends on.
  const inbound = engine === 'opensmtpd' ? { inbound: { starttls: 'none' } } : {};
  return runScenario({ hops: [{ id: 'mta', engine, ...inbound, outbound }, { id: 'next', inbound: ENULL_ONLY }] as never });
}

/** The first connection on mta->next as the wire saw it, and the session the receiver accepted m1 over. */
function firstSession(run: EngineRun) {
  const first = run.wire('mta->next')[0];
  const accepted = run.events.find((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === 'mta->next');
  return { handshake: first?.handshake, wireCipher: first?.tls?.cipher, nullCipher: first?.tls?.nullCipher, received: accepted?.tls?.cipher ?? null };
}

const NEGOTIATED_ENULL = { handshake: 'established', wireCipher: 'ECDHE-ECDSA-NULL-SHA', nullCipher: true, received: 'TLS_ECDHE_ECDSA_WITH_NULL_SHA' };

const CASES: Array<{ engine: RealEngineName; setting: string }> = [
  { engine: 'postfix', setting: 'tls_high_cipherlist, smtp_tls_ciphers = high' },
  { engine: 'sendmail', setting: 'TLS_Clt_Features: CipherList=' },
  { engine: 'opensmtpd', setting: 'smtp ciphers' },
];

for (const { engine, setting } of CASES) {
  describe.skipIf(!availability(engine).usable).concurrent(titled(`${engine}: tlsCiphers is ${setting}`, engine), () => {
    it('offers eNULL when told to: the session towards an eNULL-only hop carries no encryption, and the link reads downgraded', async () => {
      const run = await towardsEnullOnly(engine, { tlsCiphers: 'ALL:eNULL:@SECLEVEL=0' });
      expect(summary(run.report).links['mta->next']).toBe('downgraded');
      expect(summary(run.report).outcome).toBe('delivered');
      expect(firstSession(run)).toEqual(NEGOTIATED_ENULL);
      // The engine's own log names the suite as OpenSSL does.
      expect(run.facts('relayed')[0].tls).toMatchObject({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-NULL-SHA' });
    }, 60_000);

    it('with its own list it offers no eNULL suite: the handshake fails', async () => {
      const run = await towardsEnullOnly(engine, {});
      expect(firstSession(run)).toMatchObject({ handshake: 'failed' });
      expect(run.facts('tls-failed').length).toBeGreaterThan(0);
    }, 60_000);
  });
}
