/**
 * `mailhop audit --external`: a real Postfix started by hand on loopback stands in for a vendor's gateway. mailhop
 * neither configures nor starts it; it only submits to it and listens where it relays (`--listen`), and still reads
 * its behaviour from the wire and the next hop alone, close enough to name the postfix preset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type StartedEngine } from '../../harness/engines/start-engine.js';
import { freePort } from '../../harness/engines/free-address.js';
import { runAudit } from '../../harness/audit/run-audit.js';
import { presetProfiles } from '../../harness/audit/preset-profiles.js';
import { closestPresets } from '../../harness/audit/compare-profiles.js';
import { availability, engineOptions, titled } from '../support/engine.js';

const cases = ['offer', 'starttls-454', 'strip-starttls', 'handshake-alert'];

describe.skipIf(!availability('postfix').usable)(titled('mailhop audit --external: a real Postfix started by hand as the gateway', 'postfix'), () => {
  let gateway: StartedEngine;
  let listen: { host: string; port: number };
  beforeAll(async () => {
    listen = { host: '127.0.0.1', port: await freePort('127.0.0.1') };
    gateway = await startEngine(await engineOptions('gateway', 'postfix', undefined, { next: listen }));
  });
  afterAll(() => gateway?.stop());

  it('profiles it from the wire and the next hop, and names the postfix preset the closest', async () => {
    const measured = await runAudit({ kind: 'external', ...gateway.address, listen }, { cases, engineSettleMs: 45_000 });
    expect(measured.target).toBe(`external ${gateway.address.host}:${gateway.address.port}`);
    const byCase = Object.fromEntries(measured.rows.map((r) => [r.case, r]));
    expect(byCase.offer).toMatchObject({ outcomes: ['delivered'], verdicts: ['tls'] });
    expect(byCase['starttls-454']).toMatchObject({ outcomes: ['delivered'], verdicts: ['downgraded'] });
    expect(byCase['starttls-454'].wire[0]).toMatch(/^#1 STARTTLS 454, message in clear/);
    expect(byCase['strip-starttls']).toMatchObject({ outcomes: ['delivered'], verdicts: ['stripped'] });
    // Postfix defers after the failed handshake and falls back on a later attempt.
    expect(byCase['handshake-alert']).toMatchObject({ outcomes: ['delivered'], verdicts: ['downgraded'] });
    expect(byCase['handshake-alert'].wire.filter((w) => /handshake failed/.test(w)).length).toBeGreaterThanOrEqual(2);
    // It relayed where it was told: what it received from mailhop, it handed to mailhop's next hop.
    expect(gateway.log().some((l) => new RegExp(`relay=[^,]*\\[${listen.host.replaceAll('.', '\\.')}\\]:${listen.port}`).test(l))).toBe(true);

    const models = await presetProfiles(['exim', 'postfix'], { cases });
    const closest = closestPresets(measured.rows, models.flatMap((m) => ('profile' in m ? [m] : [])));
    expect(closest.map((d) => [d.preset, d.differences.length])).toEqual([
      ['postfix', 0],
      ['exim', 1],
    ]);
  }, 180_000);
});
