/**
 * What a `preset:` on a hop stands for: one real product's outbound TLS policy, fallback flavour, reply texts and
 * Received-header format, with the sources they come from. Presets are data files (presets/*.yaml, read by
 * preset-file.ts); scenario/hop.ts merges a preset's keys under the hop's own before parsing, so anything the hop
 * writes itself wins.
 */
import type { ConnectionReuse, Fallback, FallbackMemory, Outbound, Preserve, ReceivedFormat, ReplyTexts, RequireTlsLevel, StarttlsRejected, StarttlsTrailingData, TlsResumption, TlsVersion } from '../scenario/policies.js';

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
  reuse: ConnectionReuse;
  tlsResumption: TlsResumption;
  requireTls: RequireTlsLevel;
}>;

/** A column of `mailhop presets` whose value is mailhop's choice, not something a source documents. */
export type AssumedColumn = 'fallback' | 'on454' | 'tls';

/** One behaviour of the product, the preset keys that model it, the audit cases that show it, and its source. */
export interface PresetBehaviour {
  does: string;
  keys: string[];
  cases: string[];
  /** A public document (docs/sources.md key, docs/behaviour.md anchor) or `observed with <product> <version> ...`. */
  source: string;
}

/** A key the hop must write itself (`outbound.enforce`), what it holds, and an example of writing it. */
export interface PresetNeed {
  key: string;
  what: string;
  example: string;
}

export interface MtaPreset {
  /** The value of `preset:` for a bundled preset (kebab-case); a user's file is named by its path. */
  name: string;
  /** The product and the configuration the preset copies, e.g. `Postfix, smtp_tls_security_level = may`. */
  product: string;
  inbound: { received: ReceivedFormat };
  /** The outbound keys as the file writes them (durations as text). */
  outbound: PresetOutbound;
  /** Keys of docs/sources.md (`[PF-smtp]`) and the docs/behaviour.md entry it rests on (`docs/behaviour.md#B-postfix`). */
  sources: string[];
  /** Columns that are mailhop's default because the sources say nothing (marked `*` in `mailhop presets`). */
  assumed: AssumedColumn[];
  /** What the preset does not model, and where an observation overrode the documented or archived shape. */
  note: string;
  /** Keys the hop must write itself; a hop that names the preset without them is a located problem. */
  needs: PresetNeed[];
  /** The product's behaviours, each with its source: every key the preset sets is cited by one. */
  behaviour: PresetBehaviour[];
  /** The file it was read from (absolute for a user's file). */
  file: string;
}
