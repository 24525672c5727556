import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Hop, type MockHop } from '../../harness/scenario/schema.js';
import { loadScenarioText, ScenarioError } from '../../harness/scenario/load-scenario.js';
import { PRESETS, PRESET_NAMES } from '../../harness/presets/index.js';

/** The problems a scenario text gets, one `file:line:col: path: message` string each. */
function problems(text: string): string[] {
  try {
    loadScenarioText(text, 'f.yaml');
    return [];
  } catch (err) {
    return (err as ScenarioError).problems.map((p) => `f.yaml:${p.line}:${p.column}: ${p.path}: ${p.message}`);
  }
}

const scenario = (hop: string) => `name: p
hops:
${hop}
  - id: mailbox
messages: [{ from: a@b.test, to: [c@d.test] }]
`;

describe('preset: on a hop', () => {
  it('every preset is named by its key and parses as a hop', () => {
    for (const name of PRESET_NAMES) {
      expect(PRESETS[name].name).toBe(name);
      const extra = PRESETS[name].needs.length ? { outbound: { enforce: ['partner.test'] } } : {};
      expect(() => Hop.parse({ id: 'h', preset: name, ...extra })).not.toThrow();
    }
  });

  it('fills the hop with the product: policy, fallback, reply texts, retries, Received format', () => {
    const hop = Hop.parse({ id: 'h', preset: 'postfix' });
    expect(hop.preset).toBe('postfix');
    expect(hop.inbound).toEqual({ starttls: 'offer', cert: 'valid', greetingDelay: 0, received: 'postfix' });
    expect(hop.outbound).toEqual({
      tls: 'opportunistic', fallback: 'next-attempt', fallbackAfter: 300_000, fallbackMemory: 'message', starttlsRejected: 'continue', replies: 'postfix',
      retry: [300_000, 600_000, 1_200_000, 2_400_000, 4_000_000], maxAge: 432_000_000, timeout: 5_000, concurrencyLimit: 20, daneRequiredMissing: 'defer', mtaStsCheck: 'policy-map', reuse: 'plaintext', reuseProbe: 'rset',
      tlsMinVersion: 'TLSv1', starttlsTimeout: 300_000, tlsResumption: 'none', requireTls: 'disabled',
    });
  });

  it('a key the hop writes wins over the preset; the rest of the preset stays', () => {
    const hop = Hop.parse({ id: 'h', preset: 'postfix', outbound: { fallback: 'never' }, inbound: { received: 'exim' } }) as MockHop;
    expect(hop.outbound).toMatchObject({ tls: 'opportunistic', fallback: 'never', fallbackAfter: 300_000, replies: 'postfix' });
    expect(hop.inbound.received).toBe('exim');
  });

  it('choosing another tls variant keeps only the preset keys that variant has', () => {
    const hop = Hop.parse({ id: 'h', preset: 'postfix', outbound: { tls: 'mandatory' } });
    expect(hop.outbound).toEqual({
      tls: 'mandatory', replies: 'postfix', retry: [300_000, 600_000, 1_200_000, 2_400_000, 4_000_000], maxAge: 432_000_000, timeout: 5_000, concurrencyLimit: 20, daneRequiredMissing: 'defer', mtaStsCheck: 'policy-map', reuse: 'plaintext', reuseProbe: 'rset',
      tlsMinVersion: 'TLSv1', starttlsTimeout: 300_000, tlsResumption: 'none', requireTls: 'disabled',
    });
    expect(Hop.parse({ id: 'h', preset: 'messagelabs', outbound: { tls: 'none' } }).outbound).toEqual({ tls: 'none', retry: expect.any(Array), maxAge: 432_000_000, timeout: 5_000, concurrencyLimit: 20, reuse: 'none' });
  });

  it('inbound keys of the hop and the preset merge: a fake mode keeps the preset header format', () => {
    const hop = Hop.parse({ id: 'h', preset: 'exim', inbound: { starttls: 'break-handshake', how: 'close' } });
    expect(hop.inbound).toEqual({ starttls: 'break-handshake', how: 'close', cert: 'valid', greetingDelay: 0, received: 'exim' });
  });

  it('validate reports an unknown preset at the hop\'s own key, with the allowed names', () => {
    expect(problems(scenario('  - id: relay\n    preset: postfx'))).toEqual([
      `f.yaml:4:13: hops[0].preset: must be one of ${PRESET_NAMES.join(', ')}, or a preset file (a path ending in .yaml); got "postfx"`,
    ]);
  });

  it('validate reports a bad override where the hop wrote it, and a key its variant does not have', () => {
    expect(problems(scenario('  - id: relay\n    preset: sendmail\n    outbound: { fallback: sometimes }'))).toEqual([
      'f.yaml:5:27: hops[0].outbound.fallback: must be one of reconnect, next-attempt, never; got "sometimes"',
    ]);
    expect(problems(scenario('  - id: relay\n    preset: exim\n    outbound: { tls: none, fallback: never }'))).toEqual([
      'f.yaml:5:28: hops[0].outbound: unknown key "fallback" (allowed: tls, retry, maxAge, timeout, replies, concurrencyLimit, reuse, connectionCache, reuseProbe, pipelining, route, dane, mtaSts, mtaStsCache, mtaStsCheck, daneRequiredMissing, requireTls)',
    ]);
  });

  it('messagelabs-boundary takes its partner domains from the hop and says so when they are missing', () => {
    expect(problems(scenario('  - id: gateway\n    preset: messagelabs-boundary'))).toEqual([
      "f.yaml:4:13: hops[0].preset: preset messagelabs-boundary needs the partner domains in the hop's outbound.enforce, e.g. outbound: { enforce: [partner.test] }",
    ]);
    const hop = Hop.parse({ id: 'g', preset: 'messagelabs-boundary', outbound: { enforce: ['partner.test'] } });
    expect(hop.outbound).toMatchObject({ tls: 'preserve-inbound', preserve: 'strict', enforce: ['partner.test'] });
  });

  it('the README example loads as written, and the README table lists every preset', async () => {
    const readme = await readFile('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Presets'));
    const start = section.indexOf('```yaml\n') + 8;
    const block = section.slice(start, section.indexOf('```\n', start));
    const text = `name: readme-presets\n${block}messages: [{ from: a@org.test, to: [b@partner.test] }]\n`;
    const { scenario } = loadScenarioText(text, 'README.md');
    expect(scenario.hops.map((h) => [h.preset, h.outbound?.tls, h.outbound && 'fallback' in h.outbound ? h.outbound.fallback : undefined])).toEqual([
      ['postfix', 'opportunistic', 'next-attempt'], ['messagelabs-boundary', 'preserve-inbound', 'reconnect'], ['exim', 'opportunistic', 'never'],
    ]);
    for (const name of PRESET_NAMES) expect(section).toContain(`| \`${name}\` |`);
  });
});
