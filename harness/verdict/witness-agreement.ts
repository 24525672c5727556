/**
 * How the three witnesses of a link (sender, receiver, wire; sender-witness.ts) are compared: each says
 * `tls` or `plain` of the deciding session, and any difference between them is said in one sentence.
 */
import type { Witnesses } from './sender-witness.js';

/** A witness's word for whether it saw TLS. */
export const tlsOr = (yes: boolean): 'tls' | 'plain' => (yes ? 'tls' : 'plain');

/** `witnesses disagree: sender saw tls, wire saw plain` when the witnesses that saw something differ; else undefined. */
export function witnessDisagreement(witnesses: Witnesses): string | undefined {
  const seen = Object.entries(witnesses);
  if (new Set(seen.map(([, v]) => v)).size <= 1) return undefined;
  return `witnesses disagree: ${seen.map(([k, v]) => `${k} saw ${v}`).join(', ')}`;
}
