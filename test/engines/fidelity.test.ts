/**
 * Fidelity: each preset that copies a real MTA (harness/presets/) against that MTA itself. The same
 * small scenarios run twice, once with the real engine as hop `mta` and once with the mock under
 * `preset:`, and must give the same verdict on the link the hop sends over (`mta->next`) and the same
 * outcome. The mock side runs on the virtual clock (Postfix's plaintext retry after 5 minutes takes
 * milliseconds); the real side on real time (its retry comes 1-3 s later), which the chain
 * waits for while the engine holds the message.
 *
 * Where reality and the preset part, the difference is listed in KNOWN with what was observed, and
 * asserted as such: when the preset is fixed, that assertion fails and the entry goes.
 */
import { describe, expect, it } from 'vitest';
import type { InboundStarttls } from '../../harness/scenario/schema.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { availability, runScenario, summary, titled } from '../support/engine.js';

interface Flavour {
  /** The preset it mirrors, also the test's name. */
  preset: 'postfix' | 'sendmail' | 'sendmail-fallback' | 'exim' | 'opensmtpd';
  engine: RealEngineName;
  /** Outbound keys for the real engine that select the flavour. */
  outbound?: Record<string, unknown>;
  /** OpenSMTPD cannot offer STARTTLS inbound (Debian 12, OpenSSL 3). */
  inbound?: { starttls: InboundStarttls };
  /** Verdict on mta->next and outcome after a failed handshake, when the engine does not go on in plaintext. */
  failedHandshake?: { link: string; outcome: string };
}

const FLAVOURS: Flavour[] = [
  { preset: 'postfix', engine: 'postfix' },
  // Without TLSFallbacktoClear: `stat=Deferred: 454 4.7.0 TLS handshake failed.`, STARTTLS again on every queue run.
  { preset: 'sendmail', engine: 'sendmail', failedHandshake: { link: 'refused', outcome: 'deferred' } },
  { preset: 'sendmail-fallback', engine: 'sendmail', outbound: { fallback: 'reconnect' } },
  { preset: 'exim', engine: 'exim' },
  { preset: 'opensmtpd', engine: 'opensmtpd', inbound: { starttls: 'none' } },
];

interface Case {
  name: string;
  /** The next hop's inbound settings. */
  next: Record<string, unknown>;
  /** Outbound overrides for hop `mta` (both sides). */
  outbound?: Record<string, unknown>;
  /** Verdict on mta->next and outcome (for `logsFailure` cases, a flavour's `failedHandshake` replaces it). */
  expected: { link: string; outcome: string };
  /** The engine's own log says a handshake failed. */
  logsFailure?: boolean;
}

const CASES: Case[] = [
  { name: 'every hop offers STARTTLS', next: {}, expected: { link: 'tls', outcome: 'delivered' } },
  { name: 'next hop without STARTTLS', next: { starttls: 'none' }, expected: { link: 'plain', outcome: 'delivered' } },
  { name: '454 to STARTTLS', next: { starttls: 'fake-454' }, expected: { link: 'downgraded', outcome: 'delivered' } },
  { name: 'handshake closed after 220', next: { starttls: 'break-handshake', how: 'close' }, expected: { link: 'downgraded', outcome: 'delivered' }, logsFailure: true },
  { name: 'garbage after 220', next: { starttls: 'break-handshake', how: 'garbage' }, expected: { link: 'downgraded', outcome: 'delivered' }, logsFailure: true },
  { name: 'mandatory towards a hop without STARTTLS', next: { starttls: 'none' }, outbound: { tls: 'mandatory' }, expected: { link: 'refused', outcome: 'deferred' } },
];

/** Where the preset does not do what the real engine did, and why we believe the engine. */
const KNOWN: Record<string, { preset: { link: string; outcome: string }; observed: string }> = {};

for (const flavour of FLAVOURS) {
  const { usable } = availability(flavour.engine);
  describe.skipIf(!usable).concurrent(titled(`${flavour.preset}: real ${flavour.engine} and preset ${flavour.preset} agree`, flavour.engine), () => {
    for (const c of CASES) {
      it(c.name, async () => {
        const expected = (c.logsFailure && flavour.failedHandshake) || c.expected;
        const hop = (own: Record<string, unknown>) => [
          { id: 'mta', ...(flavour.inbound ? { inbound: flavour.inbound } : {}), ...own },
          { id: 'next', inbound: c.next },
        ];
        const real = await runScenario({ hops: hop({ engine: flavour.engine, outbound: c.outbound ?? flavour.outbound ?? {} }) as never });
        const mock = await runScenario({ hops: hop({ preset: flavour.preset, ...(c.outbound ? { outbound: c.outbound } : {}) }) as never });

        const clientLink = flavour.inbound?.starttls === 'none' ? 'plain' : 'tls';
        expect(summary(real.report)).toEqual({ links: { 'client->mta': clientLink, 'mta->next': expected.link }, outcome: expected.outcome });
        expect(real.report.failures).toEqual([]);
        if (c.logsFailure) expect(real.facts('tls-failed').length).toBeGreaterThan(0);
        if (c.logsFailure && flavour.failedHandshake) {
          // Never in plaintext: each attempt (the first, then queue runs) tried STARTTLS again and deferred.
          expect(real.facts('plaintext-fallback')).toEqual([]);
          expect(real.facts('deferred').length).toBeGreaterThanOrEqual(2);
          expect(real.facts('tls-failed').length).toBeGreaterThanOrEqual(real.facts('deferred').length);
        }
        if (expected.outcome === 'deferred') expect(real.report.messages[0].stoppedAt?.hop).toBe('mta');

        const known = KNOWN[`${flavour.preset}/${c.name}`];
        const expectedMock = known?.preset ?? expected;
        expect(summary(mock.report)).toEqual({ links: { 'client->mta': clientLink, 'mta->next': expectedMock.link }, outcome: expectedMock.outcome });
      });
    }
  });
}
