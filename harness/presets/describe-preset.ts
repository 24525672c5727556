/**
 * A preset as `mailhop presets` shows it, derived from what the schema makes of it (so the table cannot
 * disagree with the behaviour): the outbound policy in force, the fallback after a failed handshake, what a
 * 4xx/5xx to STARTTLS does, the TLS versions (and cipher string) the client offers, the Received format, and the sources.
 */
import tls from 'node:tls';
import path from 'node:path';
import { Outbound } from '../scenario/schema.js';
import { formatDuration } from '../scenario/duration.js';
import { loadPreset, PRESET_NAMES, formatProblem, type PresetKey } from './index.js';
import { MailhopError } from '../errors.js';
import type { AssumedColumn, MtaPreset } from './mta-preset.js';

/** One row of the presets table; a value ending in `*` is mailhop's default, not a documented behaviour. */
export interface PresetRow {
  name: string;
  policy: string;
  fallback: string;
  on454: string;
  /** Versions offered, e.g. `TLSv1-TLSv1.3`, and the cipher string when the preset sets one: `TLSv1-TLSv1.3 DEFAULT`. */
  tls: string;
  header: string;
  source: string;
  note: string;
}

function policyOf(outbound: Outbound, preset: MtaPreset): string {
  if (outbound.tls !== 'preserve-inbound') return outbound.tls;
  const needs = preset.needs.map((n) => ` + ${n.key}`).join('');
  return `preserve-inbound ${outbound.preserve}${needs}`;
}

function fallbackOf(outbound: Outbound): string {
  if (outbound.tls === 'mandatory' || outbound.tls === 'verify' || (outbound.tls === 'preserve-inbound' && outbound.preserve === 'mandatory')) {
    return 'never (TLS required)';
  }
  if (outbound.tls !== 'opportunistic' && outbound.tls !== 'preserve-inbound') return '-';
  switch (outbound.fallback) {
    case 'reconnect':
      return 'reconnect at once';
    case 'next-attempt':
      return `next attempt, once ${formatDuration(outbound.fallbackAfter)} old`;
    case 'never':
      return 'never (defer)';
  }
}

function on454Of(outbound: Outbound): string {
  if (outbound.tls === 'mandatory' || outbound.tls === 'verify' || (outbound.tls === 'preserve-inbound' && outbound.preserve === 'mandatory')) return 'defer';
  if (outbound.tls !== 'opportunistic' && outbound.tls !== 'preserve-inbound') return '-';
  return outbound.starttlsRejected === 'continue' ? 'plaintext, same session' : 'defer';
}

function tlsOf(outbound: Outbound): string {
  if (outbound.tls === 'none') return '-';
  const range = `${outbound.tlsMinVersion ?? tls.DEFAULT_MIN_VERSION}-${outbound.tlsMaxVersion ?? tls.DEFAULT_MAX_VERSION}`;
  return outbound.tlsCiphers ? `${range} ${outbound.tlsCiphers}` : range;
}

/**
 * The table row of one preset: a bundled name or a preset file.
 * @throws MailhopError `EUSAGE` naming every problem of a preset file (or an unknown name), each at its file:line:column.
 */
export function describePreset(ref: PresetKey): PresetRow {
  const loaded = loadPreset(ref);
  if ('problems' in loaded) throw new MailhopError('EUSAGE', loaded.problems.map(formatProblem).join('\n'));
  const { preset } = loaded;
  const outbound = Outbound.parse(preset.outbound);
  const mark = (column: AssumedColumn, text: string) => (preset.assumed?.includes(column) ? `${text}*` : text);
  return {
    name: preset.name,
    policy: policyOf(outbound, preset),
    fallback: mark('fallback', fallbackOf(outbound)),
    on454: mark('on454', on454Of(outbound)),
    tls: mark('tls', tlsOf(outbound)),
    header: preset.inbound.received,
    // A preset without top-level sources still cites one per behaviour (a user's file often does only that).
    source: preset.sources.join(' ') || `${preset.behaviour.length} behaviour${preset.behaviour.length === 1 ? '' : 's'} cited in ${path.basename(preset.file)}`,
    note: preset.note,
  };
}

/** Every preset's row, in registry order. */
export function describePresets(): PresetRow[] {
  return PRESET_NAMES.map(describePreset);
}

/**
 * The presets as a text table (columns: preset, policy, fallback, on 454, TLS, header, source), a footnote for `*`,
 * then each preset's note.
 */
export function presetTable(rows: readonly PresetRow[] = describePresets()): string {
  const head: PresetRow = { name: 'preset', policy: 'policy', fallback: 'fallback', on454: 'on 454', tls: 'TLS', header: 'header', source: 'source', note: '' };
  const columns = ['name', 'policy', 'fallback', 'on454', 'tls', 'header', 'source'] as const;
  const width = Object.fromEntries(columns.map((c) => [c, Math.max(...[head, ...rows].map((r) => r[c].length))]));
  const line = (r: PresetRow) => columns.map((c, i) => (i === columns.length - 1 ? r[c] : r[c].padEnd(width[c]))).join('  ');
  return [
    line(head),
    ...rows.map(line),
    '',
    ...(rows.some((r) => columns.some((c) => r[c].endsWith('*'))) ? ["* mailhop's default: the sources do not document this behaviour for the product", ''] : []),
    ...(rows.some((r) => r.note) ? ['notes:', ...rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`), ''] : []),
  ].join('\n');
}
