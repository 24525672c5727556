/**
 * Presets of mailhop's submitting client (`submit: { preset: ... }`) that behave as a real SMTP client library does in
 * the TLS mode its users pick: each is a claim about that client, backed by its profile (test/clients/: the real client
 * and mailhop's client under the preset, against every scenario of scenarios/clients/app-*.yaml, give the same
 * verdicts, test/clients/client-presets.test.ts). Observed on Debian 12 with nodemailer 10.6.1, Python 3.11.2 smtplib,
 * aiosmtplib 2.0.0, swaks 20201014.0 and curl 7.88.1 (docs/behaviour.md#C-client-presets). Clients whose behaviour no
 * policy of mailhop's client can say have none: nodemailer `requireTLS` sends STARTTLS even when the EHLO reply does not
 * list it, and curl `--ssl` checks the certificate yet goes on in clear after a 454 to STARTTLS.
 */

/** The keys a preset sets; a scenario's own `submit:` keys win over them. */
export interface ClientPreset {
  tls: 'opportunistic' | 'mandatory' | 'verify' | 'opportunistic-verify';
  fallback?: 'never';
  starttlsTrailingData?: 'discard' | 'defer' | 'keep';
}

export const CLIENT_PRESETS = {
  /** nodemailer's default transport: STARTTLS when listed, certificate checked, any failure an error; pre-TLS bytes discarded. */
  'nodemailer-default': { tls: 'opportunistic-verify', starttlsTrailingData: 'discard' },
  /** smtplib with `starttls(context=ssl.create_default_context())` when `has_extn('starttls')`, as its documentation shows. */
  'smtplib-starttls': { tls: 'opportunistic-verify', starttlsTrailingData: 'discard' },
  /** smtplib calling `starttls()` unconditionally: it raises when STARTTLS is not listed; certificate checked. */
  'smtplib-starttls-always': { tls: 'verify', starttlsTrailingData: 'discard' },
  /**
   * aiosmtplib 2.0.0 (Debian 12) with STARTTLS when listed (its `start_tls=None`): bytes after the 220 to STARTTLS are
   * read as its EHLO reply inside TLS, and it runs one reply behind from then on.
   */
  'aiosmtplib-starttls': { tls: 'opportunistic-verify', starttlsTrailingData: 'keep' },
  /** aiosmtplib 2.0.0 calling `starttls()` unconditionally: it raises when STARTTLS is not listed; the same reading of pre-TLS bytes. */
  'aiosmtplib-starttls-always': { tls: 'verify', starttlsTrailingData: 'keep' },
  /**
   * swaks `--tls-optional`: no certificate check, on in clear after a refused STARTTLS, no plaintext retry after a failed
   * handshake; reads bytes after the 220 to STARTTLS as its EHLO reply inside TLS.
   */
  'swaks-tls-optional': { tls: 'opportunistic', fallback: 'never', starttlsTrailingData: 'keep' },
  /** swaks `--tls`: TLS required, no certificate check; reads bytes after the 220 as its EHLO reply inside TLS. */
  'swaks-tls': { tls: 'mandatory', starttlsTrailingData: 'keep' },
  /** curl `--ssl-reqd` with a CA: TLS required, certificate checked; bytes after the 220 end the session before any handshake. */
  'curl-ssl-reqd': { tls: 'verify', starttlsTrailingData: 'defer' },
} as const satisfies Record<string, ClientPreset>;

export type ClientPresetName = keyof typeof CLIENT_PRESETS;
export const CLIENT_PRESET_NAMES = Object.keys(CLIENT_PRESETS) as [ClientPresetName, ...ClientPresetName[]];

/**
 * `submit:` with its preset's keys filled in under the scenario's own (`preset` itself kept, to say where they came
 * from). Anything else, an unknown preset name too, is returned as it is, for the schema to report.
 */
export function withClientPreset(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const name = (value as { preset?: unknown }).preset;
  if (typeof name !== 'string' || !Object.hasOwn(CLIENT_PRESETS, name)) return value;
  return { ...CLIENT_PRESETS[name as ClientPresetName], ...value };
}
