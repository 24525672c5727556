/**
 * `outbound.tls: verify` on a real engine: TLS required, the next hop's certificate verified against the run's CA
 * and its name against the next hop's (`<id>.mailhop.test`), in each product's own terms (engines/postfix.ts and
 * its siblings; docs/engines.md). A valid certificate is delivered over TLS and the link reads `tls-verified`, on
 * the engine's own word that it verified it; a certificate for another name, or from a CA the run does not
 * trust, is refused after the handshake: the message stays deferred in the engine and none of it crosses.
 */
import { describe, expect, it } from 'vitest';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { availability, runScenario, summary, titled, type EngineRun } from '../support/engine.js';

function towards(engine: RealEngineName, cert: 'valid' | 'wrong-host' | 'untrusted-ca'): Promise<EngineRun> {
  // OpenSMTPD takes no inbound STARTTLS here (engine-hop.ts); the link under test is the one it sends on.
  const inbound = engine === 'opensmtpd' ? { inbound: { starttls: 'none' } } : {};
  return runScenario({ hops: [{ id: 'mta', engine, ...inbound, outbound: { tls: 'verify' } }, { id: 'next', inbound: { cert } }] as never });
}

/** What the engine logged, per product: the line that says it verified, and the line of each refusal. */
const LOGGED: Record<RealEngineName, { verified: RegExp; wrongHost: RegExp; untrusted: RegExp }> = {
  postfix: {
    verified: /postfix\/smtp\[\d+\]: Verified TLS connection established to 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: TLSv1\.3/,
    wrongHost: /status=deferred \(Server certificate not verified\)$/,
    untrusted: /status=deferred \(Server certificate not verified\)$/,
  },
  exim: {
    // The router finds the next hop by name, so the name Exim checks is the next hop's.
    verified: / => bob@partner\.test R=smarthost T=remote_smtp H=next\.mailhop\.test \[127\.0\.0\.1\]:\d+ X=TLS1\.3:\S+ CV=yes /,
    wrongHost: / == bob@partner\.test R=smarthost T=remote_smtp defer \(-37\) H=next\.mailhop\.test \[127\.0\.0\.1\]:\d+: TLS session: \(certificate verification failed\)$/,
    untrusted: / == bob@partner\.test R=smarthost T=remote_smtp defer \(-37\) H=next\.mailhop\.test \[127\.0\.0\.1\]:\d+: TLS session: \(certificate verification failed\): certificate invalid$/,
  },
  sendmail: {
    verified: /STARTTLS=client, relay=\[127\.0\.0\.1\], version=TLSv1\.3, verify=OK, /,
    // The chain verified (verify=OK); the access map's CN requirement refused the name.
    wrongHost: /dsn=4\.7\.0, stat=Deferred: 454 4\.7\.0 CN wrong-host\.mailhop\.invalid does not match next\.mailhop\.test$/,
    untrusted: /dsn=4\.7\.0, stat=Deferred: 454 4\.7\.0 authentication failed$/,
  },
  opensmtpd: {
    verified: /mta tls ciphers=TLSv1\.3:/,
    wrongHost: /mta error reason=SSL certificate check failed$/,
    untrusted: /mta error reason=SSL certificate check failed$/,
  },
};

for (const engine of ['postfix', 'exim', 'sendmail', 'opensmtpd'] as const) {
  const clientLink = engine === 'opensmtpd' ? 'plain' : 'tls';
  describe.skipIf(!availability(engine).usable).concurrent(titled(`${engine}: outbound.tls verify against the run's CA`, engine), () => {
    it('delivers to a next hop whose certificate is valid: the link is tls-verified', async () => {
      const run = await towards(engine, 'valid');
      expect(summary(run.report)).toEqual({ links: { 'client->mta': clientLink, 'mta->next': 'tls-verified' }, outcome: 'delivered' });
      const relayed = run.facts('relayed')[0];
      expect(relayed.tls?.verified).toBe(true);
      expect(run.facts('tls')[0].line).toMatch(LOGGED[engine].verified);
      expect(run.wire('mta->next')[0]).toMatchObject({ handshake: 'established', plaintextData: false });
    }, 60_000);

    for (const cert of ['wrong-host', 'untrusted-ca'] as const) {
      it(`refuses a next hop whose certificate is ${cert}: deferred, nothing crossed`, async () => {
        const run = await towards(engine, cert);
        expect(summary(run.report)).toEqual({ links: { 'client->mta': clientLink, 'mta->next': 'refused' }, outcome: 'deferred' });
        expect(run.report.messages[0].stoppedAt?.hop).toBe('mta');
        const deferred = run.facts('deferred');
        expect(deferred.length).toBeGreaterThan(0);
        expect(deferred[0].line).toMatch(cert === 'wrong-host' ? LOGGED[engine].wrongHost : LOGGED[engine].untrusted);
        // Every connection began TLS (STARTTLS) and carried no MAIL and no content in clear; the receiver accepted
        // nothing over TLS either. (Whether the wire reads the handshake as finished depends on when the engine
        // dropped it: Exim rejects the certificate inside the handshake, the others just after it.)
        const wire = run.wire('mta->next');
        expect(wire.length).toBeGreaterThan(0);
        for (const w of wire) expect({ starttls: w.starttlsSent, plaintextData: w.plaintextData, mail: w.commands.some((c) => c.verb === 'MAIL') }).toEqual({ starttls: true, plaintextData: false, mail: false });
        expect(run.events.filter((e) => e.kind === 'accepted' && e.link === 'mta->next')).toEqual([]);
      }, 60_000);
    }
  });
}
