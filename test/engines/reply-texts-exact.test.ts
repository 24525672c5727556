/**
 * Reply texts, word for word: the same failure (a link fault killing the handshake, or a next hop refusing
 * STARTTLS) met once by the real engine as hop `mta` and once by the mock under its preset. What the engine logged
 * for the session (Exim's `defer` reason or its `delivering unencrypted` line, OpenSMTPD's `mta error reason=`)
 * must be the text of the mock's session reply, after its SMTP code (the products log none). Exim names the next
 * hop by the address literal mailhop routes it to, the mock by its name: `H=...` is masked.
 *
 * The products' 300 s handshake timeout is left to test/presets/preset-handshake-texts.test.ts (observed once:
 * Exim `timed out`, OpenSMTPD `Connection timeout`).
 */
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../harness/trace/events.js';
import { availability, runScenario, titled, type EngineRun } from '../support/engine.js';

type Kill = 'close' | 'reset' | 'alert' | 'garbage';

interface Case {
  name: string;
  engine: 'exim' | 'opensmtpd';
  tls: 'mandatory' | 'opportunistic';
  /** A kill-handshake fault on mta->next, or the next hop's inbound settings. */
  failure: Kill | Record<string, unknown>;
}

const KILLS: Kill[] = ['close', 'reset', 'alert', 'garbage'];
const CASES: Case[] = [
  ...KILLS.map((how): Case => ({ name: `TLS required, handshake ${how}`, engine: 'exim', tls: 'mandatory', failure: how })),
  { name: 'opportunistic, handshake close: the plaintext reconnect line', engine: 'exim', tls: 'opportunistic', failure: 'close' },
  { name: 'TLS required, no STARTTLS offered', engine: 'opensmtpd', tls: 'mandatory', failure: { starttls: 'none' } },
  { name: 'TLS required, 454 to STARTTLS', engine: 'opensmtpd', tls: 'mandatory', failure: { starttls: 'fake-454' } },
  ...KILLS.map((how): Case => ({ name: `TLS required, handshake ${how}`, engine: 'opensmtpd', tls: 'mandatory', failure: how })),
];

async function run(c: Case, hop: Record<string, unknown>): Promise<EngineRun> {
  const kill = typeof c.failure === 'string';
  return runScenario({
    hops: [
      { id: 'mta', ...(c.engine === 'opensmtpd' ? { inbound: { starttls: 'none' } } : {}), ...hop },
      { id: 'next', inbound: kill ? {} : c.failure },
    ] as never,
    links: kill ? ([{ from: 'mta', to: 'next', fault: 'kill-handshake', how: c.failure }] as never) : [],
  });
}

/** What the engine logged for the first failed session. */
function engineText(c: Case, real: EngineRun): string | undefined {
  if (c.tls === 'opportunistic') return /TLS session: .*$/.exec(real.facts('plaintext-fallback')[0]?.line ?? '')?.[0];
  return real.facts('deferred')[0]?.detail;
}

/** The mock's first session reply on mta->next, without its SMTP code. */
function mockText(mock: EngineRun): string | undefined {
  const session = mock.events.find((e): e is SessionEvent => e.kind === 'session' && e.link === 'mta->next');
  return session?.reply.text.replace(/^\d{3} (?:\d\.\d{1,3}\.\d{1,3} )?/, '');
}

const hostMasked = (text: string | undefined) => text?.replace(/ H=\S+ \[/, ' H=<host> [');

for (const engine of ['exim', 'opensmtpd'] as const) {
  describe.skipIf(!availability(engine).usable).concurrent(titled(`${engine}: the preset's reply texts are the real ${engine}'s`, engine), () => {
    for (const c of CASES.filter((x) => x.engine === engine)) {
      it(c.name, async () => {
        const real = await run(c, { engine, outbound: { tls: c.tls } });
        const mock = await run(c, { preset: engine, outbound: { tls: c.tls } });
        const logged = engineText(c, real);
        expect(logged, `${engine} logged the failure`).toBeTruthy();
        expect(hostMasked(mockText(mock))).toBe(hostMasked(logged));
      }, 90_000);
    }
  });
}
