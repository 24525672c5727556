/**
 * The audit battery as data: enough standard cases, each of which becomes a valid scenario for every kind of
 * target (a preset, each real engine, an external gateway), before anything listens.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_CASES } from '../../harness/audit/battery.js';
import { auditScenarios, selectCases } from '../../harness/audit/run-audit.js';
import { caseScenario, parseSettings, receivingSettings, type AuditTarget } from '../../harness/audit/audit-target.js';
import { REAL_ENGINES } from '../../harness/scenario/hop-kind.js';

describe('the audit battery', () => {
  it('has at least 25 cases with distinct ids, covering both legs and two-message fallback memory', () => {
    const ids = AUDIT_CASES.map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(25);
    expect(new Set(ids).size).toBe(ids.length);
    expect(AUDIT_CASES.some((c) => c.leg === 'inbound')).toBe(true);
    expect(AUDIT_CASES.some((c) => c.messages === 2)).toBe(true);
  });

  it.each<[string, AuditTarget]>([
    ['preset postfix', { kind: 'preset', preset: 'postfix', set: {} }],
    ['preset nodemailer-default', { kind: 'preset', preset: 'nodemailer-default', set: {} }],
    ...REAL_ENGINES.map((engine): [string, AuditTarget] => [`engine ${engine}`, { kind: 'engine', engine, set: {} }]),
    ['external', { kind: 'external', host: '127.0.0.1', port: 2525, listen: { host: '127.0.0.1', port: 2526 } }],
  ])('every case is a valid scenario against %s', (_, target) => {
    const loaded = auditScenarios(target, AUDIT_CASES);
    expect(loaded.map((l) => l.scenario.hops.map((h) => h.id))).toEqual(AUDIT_CASES.map(() => ['target', 'next']));
  });

  it('places the fault on the leg the case watches; a stalled handshake is shortened for a real engine, not for a preset', () => {
    const target: AuditTarget = { kind: 'preset', preset: 'postfix', set: {} };
    expect(caseScenario(target, selectCases(['strip-starttls'])[0]).links).toEqual([{ fault: 'strip-starttls', from: 'target', to: 'next' }]);
    expect(caseScenario(target, selectCases(['inbound-stripped'])[0]).links).toEqual([{ fault: 'strip-starttls', from: 'client', to: 'target' }]);
    // The preset keeps Postfix's smtp_starttls_timeout: behind mailhop's stall fault it elapses in virtual time.
    const stall = auditScenarios(target, selectCases(['handshake-stall']))[0].scenario;
    expect(stall.hops[0].engine === 'mock' && stall.hops[0].outbound.tls === 'opportunistic' && stall.hops[0].outbound.starttlsTimeout).toBe(300_000);
    expect(stall.links).toEqual([expect.objectContaining({ fault: 'stall', from: 'target', to: 'next' })]);
    const engine = auditScenarios({ kind: 'engine', engine: 'postfix', set: {} }, selectCases(['handshake-stall']))[0].scenario.hops[0];
    expect(engine.engine === 'postfix' && 'starttlsTimeout' in engine.outbound && engine.outbound.starttlsTimeout).toBe(3000);
  });

  it('refuses an unknown case, naming it and listing the known ones', () => {
    expect(() => selectCases(['offer', 'nope'])).toThrow(/^--cases nope: cannot select the audit cases: no case "nope"\. The cases are: offer, no-starttls, /);
  });

  it('reads --set values as YAML into the target hop, and the schema judges them with the case named', () => {
    expect(parseSettings(['outbound.tls=mandatory', 'outbound.retry=[1m, 2m]'])).toEqual({ 'outbound.tls': 'mandatory', 'outbound.retry': ['1m', '2m'] });
    expect(() => parseSettings(['outbound.tls'])).toThrow('--set outbound.tls: cannot read the setting: it is not key=value with a dotted hop key. e.g. --set outbound.tls=mandatory');
    const target: AuditTarget = { kind: 'engine', engine: 'postfix', set: parseSettings(['outbound.tls=preserve-inbound']) };
    // Named by the --set that caused it, not by a position in the generated scenario.
    expect(() => auditScenarios(target, selectCases(['offer']))).toThrow(/^--set outbound\.tls="preserve-inbound": cannot apply it to the target hop \(audit case offer\): outbound\.tls: engine postfix cannot do outbound\.tls: preserve-inbound/);
    const preset: AuditTarget = { kind: 'preset', preset: 'exim', set: parseSettings(['outbound.fallback=sometimes']) };
    expect(() => auditScenarios(preset, selectCases(['offer']))).toThrow('--set outbound.fallback="sometimes": cannot apply it to the target hop (audit case offer): outbound.fallback: must be one of reconnect, next-attempt, never; got "sometimes".');
    // A key without its section names the --set, never a line of the generated scenario.
    const bare: AuditTarget = { kind: 'preset', preset: 'exim', set: parseSettings(['fallback=never']) };
    expect(() => auditScenarios(bare, selectCases(['offer']))).toThrow(/^--set fallback="never": cannot apply it to the target hop \(audit case offer\): the hop: unknown key "fallback" .*Hop keys are written from the hop down, e\.g\. --set outbound\.fallback=never/);
  });

  it('compares presets receiving as the target did: OpenSMTPD takes mail in plaintext, and so do the presets beside it', () => {
    expect(receivingSettings({ kind: 'engine', engine: 'opensmtpd', set: {} })).toEqual({ 'inbound.starttls': 'none' });
    expect(receivingSettings({ kind: 'engine', engine: 'postfix', set: { 'inbound.starttls': 'require', 'outbound.tls': 'mandatory' } })).toEqual({ 'inbound.starttls': 'require' });
    const preset: AuditTarget = { kind: 'preset', preset: 'opensmtpd', set: receivingSettings({ kind: 'engine', engine: 'opensmtpd', set: {} }) };
    const [hop] = auditScenarios(preset, selectCases(['inbound-stripped']))[0].scenario.hops;
    expect(hop.engine === 'mock' && hop.inbound.starttls).toBe('none');
  });
});
