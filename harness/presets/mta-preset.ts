/**
 * What a `preset:` on a hop stands for: one real product's outbound TLS policy, fallback flavour, reply texts and
 * Received-header format, with the sources they come from. Presets are plain data; scenario/hop.ts merges a
 * preset's keys under the hop's own before parsing, so anything the hop writes itself wins.
 */
import type { Fallback, FallbackMemory, Outbound, Preserve, ReceivedFormat, ReplyTexts, StarttlsRejected, StarttlsTrailingData, TlsVersion } from '../scenario/policies.js';

/** A duration as a scenario writes it: `"5m"`, or milliseconds. */
type DurationText = string | number;

/** Outbound keys as a scenario file would write them (the preset's `tls` variant decides which are allowed). */
export type PresetOutbound = { tls: Outbound['tls'] } & Partial<{
  fallback: Fallback;
  fallbackAfter: DurationText;
  fallbackMemory: FallbackMemory;
  starttlsRejected: StarttlsRejected;
  preserve: Preserve;
  enforce: string[];
  replies: ReplyTexts;
  retry: DurationText[];
  maxAge: DurationText;
  concurrencyLimit: number;
  tlsMinVersion: TlsVersion;
  tlsMaxVersion: TlsVersion;
  tlsCiphers: string;
  starttlsTrailingData: StarttlsTrailingData;
}>;

/** A column of `mailhop presets` whose value is mailhop's choice, not something a source documents. */
export type AssumedColumn = 'fallback' | 'on454' | 'tls';

export interface MtaPreset {
  /** The value of `preset:` (kebab-case). */
  name: string;
  /** The product and the configuration the preset copies, e.g. `Postfix, smtp_tls_security_level = may`. */
  product: string;
  inbound: { received: ReceivedFormat };
  outbound: PresetOutbound;
  /** Keys of docs/sources.md (`[PF-smtp]`) and the docs/behaviour.md entry it rests on (`docs/behaviour.md#B-postfix`). */
  sources: string[];
  /** Columns that are mailhop's default because the sources say nothing (marked `*` in `mailhop presets`). */
  assumed?: AssumedColumn[];
  /** What the preset does not model, and where an observation overrode the documented or archived shape. */
  note: string;
  /** A key the hop must write itself, named in `mailhop presets` (e.g. `outbound.enforce`). */
  needs?: string;
  /** A problem with the hop after merging (e.g. a key the hop itself must give), or undefined. */
  check?: (hop: { outbound: Outbound }) => string | undefined;
}
