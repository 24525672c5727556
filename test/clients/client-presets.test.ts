/**
 * Client presets (`submit: { preset: ... }`, harness/scenario/client-presets.ts) are claims about real clients: mailhop's
 * own client under each preset, against every scenario of scenarios/clients/app-*.yaml, must do what the real client
 * did there (its row in profiles.ts, measured by client-profiles.test.ts): the same submission-link verdict, credentials
 * in clear or not, injected replies believed or not. The application sends once; mailhop's client gets one attempt too
 * (its retry falls after the run).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { CLIENT_PRESETS, type ClientPresetName } from '../../harness/scenario/client-presets.js';
import { PROFILES, profileCell } from './profiles.js';

/** The real client (a row of profiles.ts) each preset claims to behave as. */
const MODELS: Record<ClientPresetName, string> = {
  'nodemailer-default': 'nodemailer (default)',
  'smtplib-starttls': 'smtplib starttls if offered',
  'smtplib-starttls-always': 'smtplib starttls always',
  'aiosmtplib-starttls': 'aiosmtplib starttls if offered',
  'aiosmtplib-starttls-always': 'aiosmtplib starttls always',
  'swaks-tls-optional': 'swaks --tls-optional',
  'swaks-tls': 'swaks --tls',
  'curl-ssl-reqd': 'curl --ssl-reqd',
};

const files = readdirSync('scenarios/clients').filter((f) => f.startsWith('app-') && f.endsWith('.yaml')).sort();

/** The app scenario with mailhop's client as the sender under `preset` (AUTH where the first hop takes it), one attempt. */
function underPreset(file: string, preset: ClientPresetName): Scenario {
  const raw = parse(readFileSync(`scenarios/clients/${file}`, 'utf8')) as { hops: Array<{ inbound?: { auth?: string } }> };
  const auth = raw.hops[0].inbound?.auth ? { auth: 'plain', user: 'app', pass: 's3cret' } : {};
  return Scenario.parse({
    ...raw,
    submit: { preset, retry: ['1d'], ...auth },
    messages: [{ from: 'app@org.test', to: ['bob@partner.test'], subject: `as ${preset}` }],
  });
}

describe('client presets behave as the real clients they name', () => {
  it('names a profiled client for every preset', () => {
    expect(Object.keys(MODELS).sort()).toEqual(Object.keys(CLIENT_PRESETS).sort());
    for (const client of Object.values(MODELS)) expect(PROFILES['app-offer-encrypted'][client]).toBeDefined();
  });

  for (const preset of Object.keys(CLIENT_PRESETS) as ClientPresetName[]) {
    it.for(files)(`${preset} as ${MODELS[preset]}: %s`, async (f) => {
      const scenario = underPreset(f, preset);
      await using chain = await startChain(scenario);
      const report = await chain.run();
      const m = report.messages[0];
      // The application's link reads `tls` at best: the wire and the first hop cannot see whether it checked the
      // certificate (verdict/app-sender.ts); mailhop's own client says so, and a verifying preset reads `tls-verified`.
      const verdict = m.links[0].verdict === 'tls-verified' ? 'tls' : m.links[0].verdict;
      const cell = profileCell(verdict, m.outcome, report.links[0].credentialsInClear !== undefined, m.outcome === 'delivered', m.links[0].believedReplies !== undefined);
      expect(cell, m.links[0].notes.join('\n')).toBe(PROFILES[scenario.name][MODELS[preset]].observed);
    });
  }

  it('fills in the preset\'s keys under the scenario\'s own', () => {
    const scenario = Scenario.parse({ name: 'p', submit: { preset: 'swaks-tls-optional', fallback: 'reconnect' }, hops: [{ id: 'mx' }], messages: [{ from: 'a@b.test', to: ['c@d.test'] }] });
    expect(scenario.submit).toMatchObject({ preset: 'swaks-tls-optional', tls: 'opportunistic', fallback: 'reconnect', starttlsTrailingData: 'keep' });
  });
});
