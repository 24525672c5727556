/**
 * Fitting a preset to a measured profile (`mailhop audit --write-preset`): start from the closest bundled preset and
 * turn, one at a time, the outbound keys that decide the cases where it differs from the target, keeping a change
 * only when the mock then behaves like the target on more cases overall (judged on the key's own cases first, then
 * on every case). Every candidate is audited for real (mock hops,
 * real sockets, the same battery), so the result is measured, not inferred; the last full audit says which cases, if
 * any, the fitted preset still gets wrong.
 */
import { OUTBOUND_VARIANTS } from '../scenario/policies.js';
import { mergeUnder } from '../scenario/hop.js';
import { presetFor } from '../presets/index.js';
import { MailhopError } from '../errors.js';
import type { MtaPreset } from '../presets/mta-preset.js';
import { runAudit, type RunAuditOptions } from './run-audit.js';
import { profileDifferences, type CaseDifference, type Profile } from './compare-profiles.js';

/** A key the fit may turn: its values, and the cases whose outcome it decides (where a change is judged). */
interface Knob {
  key: string;
  values: readonly unknown[];
  cases: readonly string[];
}

const HANDSHAKE_CASES = ['handshake-close', 'handshake-alert', 'handshake-garbage', 'handshake-stall', 'kill-handshake', 'tamper-220', 'reset-on-starttls', 'memory-after-alert'];
const REJECT_CASES = ['starttls-454', 'starttls-502', 'starttls-554', 'downgrade-454', 'memory-after-454'];
const CERT_CASES = ['cert-expired', 'cert-wrong-host', 'cert-untrusted', 'cert-self-signed', 'intercept'];

/**
 * The knobs, narrowest first: what a 4xx/5xx to STARTTLS does, the fallback after a failed handshake and its memory,
 * the TLS versions offered, what happens to data trailing the 220 (RFC 3207 §4.2), and only then the policy itself
 * (RFC 7435 opportunistic vs RFC 3207 §4 mandatory, or certificate checks), which changes nearly every case.
 */
const KNOBS: readonly Knob[] = [
  { key: 'outbound.starttlsRejected', values: ['continue', 'defer'], cases: REJECT_CASES },
  { key: 'outbound.fallback', values: ['reconnect', 'next-attempt', 'never'], cases: HANDSHAKE_CASES },
  { key: 'outbound.fallbackMemory', values: ['message', 'destination-run', 'session'], cases: ['memory-after-alert', 'memory-after-454'] },
  { key: 'outbound.concurrencyLimit', values: [1, 20], cases: ['memory-after-alert', 'memory-after-454'] },
  { key: 'outbound.tlsMinVersion', values: ['TLSv1', 'TLSv1.2'], cases: ['tls10-only'] },
  { key: 'outbound.tlsCiphers', values: ['DEFAULT', 'DEFAULT:@SECLEVEL=0'], cases: ['tls10-only', 'enull-only'] },
  { key: 'outbound.starttlsTimedOut', values: ['fallback', 'defer'], cases: ['handshake-stall'] },
  { key: 'outbound.starttlsDropped', values: ['defer', 'fallback'], cases: ['reset-on-starttls'] },
  { key: 'outbound.starttlsTrailingData', values: ['discard', 'handshake-failure', 'defer'], cases: ['inject-response'] },
  { key: 'outbound.tls', values: ['opportunistic', 'mandatory', 'verify'], cases: ['offer', 'no-starttls', 'strip-starttls', 'mask-starttls', ...CERT_CASES, ...REJECT_CASES.slice(0, 2)] },
  { key: 'outbound.preserve', values: ['strict', 'always-try', 'mandatory'], cases: ['inbound-plaintext', 'offer'] },
];

/** What a fit found: the base preset, the keys turned, the fitted preset's profile and where it still differs. */
export interface PresetFit {
  /** The bundled preset the fit started from. */
  base: MtaPreset;
  /** Dotted hop keys changed from the base, with their values (`{ 'outbound.fallback': 'never' }`). */
  set: Record<string, unknown>;
  /** For each key turned, the cases that decided it. */
  decidedBy: Record<string, string[]>;
  /** The fitted preset's own hop keys as a preset file writes them. */
  inbound: MtaPreset['inbound'];
  outbound: Record<string, unknown>;
  /** Cases where the fitted preset still differs from the measured profile (empty: it audits identical). */
  remaining: CaseDifference[];
  /** Candidate audits run (each a set of cases), for the progress line and the README's figure. */
  trials: number;
}

/** Options of {@link fitPreset}: the receiving keys the target was audited with, and the audit's own options. */
export interface FitOptions extends Pick<RunAuditOptions, 'concurrency' | 'signal'> {
  /** `inbound.*` keys the measured target was audited with (receivingSettings): the candidates receive the same way. */
  receiving?: Readonly<Record<string, unknown>>;
  /** Sees each trial (for a progress line). */
  onTrial?: (trials: number) => void;
}

/**
 * Fits a preset to `measured`, starting from the bundled preset `baseRef`.
 * @returns the fit; `remaining` lists the cases no knob could reproduce (e.g. a product's own reply classes).
 * @throws MailhopError EUSAGE when `baseRef` names no usable preset; as runAudit does (a case that cannot be started).
 */
export async function fitPreset(measured: Profile, baseRef: string, options: FitOptions = {}): Promise<PresetFit> {
  const base = presetFor(baseRef);
  if (!base) throw MailhopError.of('EUSAGE', { where: baseRef, what: 'fit a preset from it', why: 'no preset has this name, or its file has problems' });
  const ran = new Set(measured.map((r) => r.case));
  const receiving = options.receiving ?? {};
  let trials = 0;
  const audit = async (set: Record<string, unknown>, cases: readonly string[]): Promise<Profile | undefined> => {
    trials++;
    options.onTrial?.(trials);
    try {
      return (await runAudit({ kind: 'preset', preset: baseRef, set: { ...receiving, ...set } }, { cases, concurrency: options.concurrency, signal: options.signal })).rows;
    } catch {
      return undefined; // a key this variant cannot take (fallback under tls: mandatory): not a candidate
    }
  };
  const wrongOn = (profile: Profile | undefined, cases: readonly string[]) =>
    profile ? profileDifferences(measured.filter((r) => cases.includes(r.case)), profile).length : Infinity;

  const set: Record<string, unknown> = {};
  const decidedBy: Record<string, string[]> = {};
  let current = await audit(set, [...ran]);
  let wrong = wrongOn(current, [...ran]);
  for (const knob of KNOBS) {
    const cases = knob.cases.filter((c) => ran.has(c));
    if (!cases.length || wrongOn(current, cases) === 0) continue;
    // Judged first on the knob's own cases (cheap), then a value that helps there must also help overall (a full
    // audit), since a key can change cases outside its list (tls: mandatory defers far more than a 454).
    const tried: Array<{ value: unknown; wrong: number }> = [];
    for (const value of knob.values) {
      if (options.signal?.aborted) break;
      tried.push({ value, wrong: wrongOn(await audit({ ...set, [knob.key]: value }, cases), cases) });
    }
    for (const { value } of tried.filter((t) => t.wrong < wrongOn(current, cases)).sort((a, b) => a.wrong - b.wrong)) {
      const whole = await audit({ ...set, [knob.key]: value }, [...ran]);
      if (wrongOn(whole, [...ran]) < wrong) {
        set[knob.key] = value;
        decidedBy[knob.key] = cases;
        current = whole;
        wrong = wrongOn(whole, [...ran]);
        break;
      }
    }
  }
  const remaining = current ? profileDifferences(measured, current) : measured.map((r) => ({ case: r.case, how: ['the fitted preset could not be audited'] }));
  const own = Object.fromEntries(Object.entries(set).map(([k, v]) => [k.slice('outbound.'.length), v]));
  const outbound = mergeUnder(base.outbound as Record<string, unknown>, own, OUTBOUND_VARIANTS, 'tls', 'opportunistic') as Record<string, unknown>;
  return { base, set, decidedBy, inbound: base.inbound, outbound, remaining, trials };
}
