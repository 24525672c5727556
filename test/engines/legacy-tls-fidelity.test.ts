/**
 * Two cases the presets once got wrong (issue 12), each run with the real engine as hop `mta` and again with the
 * mock under its preset, asserting the same wire and verdicts:
 * - a next hop that only speaks TLS 1.0 (docs/behaviour.md#A-old-tls): Postfix and Exim negotiate TLSv1; Sendmail and
 *   OpenSMTPD offer it too, but their OpenSSL 3 refuses the server's SHA-1 signature (client alert internal_error);
 * - Postfix at level encrypt answered `554 5.7.0` to STARTTLS (docs/behaviour.md#B-mandatory-postfix): a bounce at once.
 */
import { describe, expect, it } from 'vitest';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import type { WireEvent } from '../../harness/trace/events.js';
import { availability, runScenario, summary, titled, type EngineRun } from '../support/engine.js';

const TLS10_ONLY = { starttls: 'offer', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } };

/**
 * The first connection on mta->next as the wire saw it: handshake, the version and suite the server's hello chose,
 * the first alert. Only the first: Sendmail and OpenSMTPD keep their plaintext connection open for more mail, so its
 * wire record is not complete when the run is judged (the verdict then rests on their logs and the receiver).
 */
function firstConnection(run: EngineRun): string {
  const [w] = run.events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === 'mta->next').map((e) => e.record);
  return [w.handshake, w.tls?.version ?? '-', w.tls?.cipher ?? '-', w.alert ? `${w.alert.from} alert ${w.alert.description}` : 'no alert'].join(' ');
}

interface Flavour {
  preset: 'postfix' | 'sendmail' | 'sendmail-fallback' | 'exim' | 'opensmtpd';
  engine: RealEngineName;
  outbound?: Record<string, unknown>;
  inbound?: Record<string, unknown>;
  link: string;
  outcome: string;
  /** {@link firstConnection} */
  wire: string;
}

const NEGOTIATED = 'established TLSv1 ECDHE-ECDSA-AES256-SHA no alert';
const SIGNATURE_REFUSED = 'failed TLSv1 ECDHE-ECDSA-AES256-SHA client alert internal_error';

const FLAVOURS: Flavour[] = [
  { preset: 'postfix', engine: 'postfix', link: 'tls', outcome: 'delivered', wire: NEGOTIATED },
  { preset: 'exim', engine: 'exim', link: 'tls', outcome: 'delivered', wire: NEGOTIATED },
  // Each queue run again: `reason=legacy sigalg disallowed or unsupported`, `stat=Deferred: 454 4.7.0 TLS handshake failed.`
  { preset: 'sendmail', engine: 'sendmail', link: 'refused', outcome: 'deferred', wire: SIGNATURE_REFUSED },
  { preset: 'sendmail-fallback', engine: 'sendmail', outbound: { fallback: 'reconnect' }, link: 'downgraded', outcome: 'delivered', wire: SIGNATURE_REFUSED },
  // `opportunistic TLS failed, downgrading to plain`, then smtp+notls:// at once.
  { preset: 'opensmtpd', engine: 'opensmtpd', inbound: { starttls: 'none' }, link: 'downgraded', outcome: 'delivered', wire: SIGNATURE_REFUSED },
];

for (const f of FLAVOURS) {
  describe.skipIf(!availability(f.engine).usable)(titled(`${f.preset}: real ${f.engine} and its preset`, f.engine), () => {
    it('against a TLS 1.0-only next hop: the same wire and verdict', async () => {
      const hops = (own: Record<string, unknown>) => [{ id: 'mta', ...(f.inbound ? { inbound: f.inbound } : {}), ...own }, { id: 'next', inbound: TLS10_ONLY }];
      const [real, mock] = await Promise.all([
        runScenario({ hops: hops({ engine: f.engine, outbound: f.outbound ?? {} }) as never }),
        runScenario({ hops: hops({ preset: f.preset }) as never }),
      ]);
      const clientLink = f.inbound ? 'plain' : 'tls';
      const expected = { links: { 'client->mta': clientLink, 'mta->next': f.link }, outcome: f.outcome };
      expect(summary(real.report)).toEqual(expected);
      expect(summary(mock.report)).toEqual(expected);
      expect(firstConnection(real)).toBe(f.wire);
      expect(firstConnection(mock)).toBe(f.wire);
      // What the engine itself logged: Postfix `TLSv1 with cipher ECDHE-ECDSA-AES256-SHA`, Exim `X=TLS1.0:...`.
      if (f.link === 'tls') expect(real.facts('tls').map((e) => e.tls?.version)).toEqual([expect.stringMatching(/^TLSv?1(\.0)?$/)]);
    });
  });
}

describe.skipIf(!availability('postfix').usable)(titled('postfix-encrypt: real Postfix at level encrypt and the preset', 'postfix'), () => {
  it('554 5.7.0 to STARTTLS: bounced at once with 5.7.0, nothing after STARTTLS but QUIT', async () => {
    const next = { id: 'next', inbound: { starttls: 'fake-reply', starttlsReply: '554 5.7.0 TLS not available' } };
    const [real, mock] = await Promise.all([
      runScenario({ hops: [{ id: 'mta', engine: 'postfix', outbound: { tls: 'mandatory' } }, next] as never }),
      runScenario({ hops: [{ id: 'mta', preset: 'postfix-encrypt' }, next] as never }),
    ]);
    const expected = { links: { 'client->mta': 'tls', 'mta->next': 'refused' }, outcome: 'bounced' };
    expect(summary(real.report)).toEqual(expected);
    expect(summary(mock.report)).toEqual(expected);
    expect(real.facts('bounced').map((e) => e.line.match(/dsn=[\d.]+, status=\w+/)?.[0])).toEqual(['dsn=5.7.0, status=bounced']);
    expect(mock.report.messages[0].stoppedAt?.reply).toMatchObject({ code: 554, enhanced: '5.7.0' });
    const verbs = (run: EngineRun) =>
      run.events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === 'mta->next').map((e) => e.record.commands.map((c) => c.verb).join(' '));
    expect(verbs(mock)).toEqual(['EHLO STARTTLS QUIT']);
    // The fake-reply front does not close after its 221 to QUIT (issue 12), so Postfix's connection may still be open,
    // its wire record not yet written, when the run is judged; a record that is there must say the same.
    expect(verbs(real).filter((v) => v !== 'EHLO STARTTLS QUIT')).toEqual([]);
  });
});
