/**
 * The preset file `mailhop audit --write-preset` writes: the fitted hop keys (fit-preset.ts), and as its evidence one
 * behaviour per audited case ("observed with <target> by mailhop audit on <date>"), one per key the fit turned (the
 * cases that decided it), and the base preset's own entries for the keys it inherits (their source kept, marked as
 * the base's). The text is checked with the same checker as any preset file before it is written.
 */
import { Document, isScalar, visit } from 'yaml';
import { MailhopError } from '../errors.js';
import { checkPresetText } from '../presets/preset-file.js';
import { formatProblem, PRESET_NAMES } from '../presets/index.js';
import { auditCase } from './battery.js';
import type { AuditRow } from './audit-row.js';
import type { PresetFit } from './fit-preset.js';

/** Who and what was measured, for the file's name, product line and sources. */
export interface PresetMeta {
  /** The preset's `name` (kebab-case), e.g. from the file name. */
  name: string;
  /** The audited target as reports call it (`engine postfix`, `external 127.0.0.1:2525`). */
  target: string;
  /** The product and version when known (`Postfix 3.7.11`), else the target. */
  product: string;
  /** When it was measured (ISO date, `2026-12-07`). */
  date: string;
}

/** A preset name from a file name: `acme.preset.yaml` -> `acme`; anything else is made kebab-case. */
export function presetNameOf(file: string): string {
  const base = file.split(/[\\/]/).at(-1)!.replace(/(\.preset)?\.ya?ml$/i, '');
  const name = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'measured';
  return PRESET_NAMES.includes(name) ? `${name}-measured` : name;
}

function observed(row: AuditRow): string {
  const c = auditCase(row.case);
  const what = row.error ? `could not run (${row.error})` : `${row.outcomes.join(', ')}; verdict ${row.verdicts.join(', ')}; ${row.wire[0] ?? 'no connection'}`;
  return `${c?.title ?? row.case}: ${what}${row.reply ? `; reply ${row.reply}` : ''}`;
}

/**
 * The preset file's text.
 * @throws MailhopError EINTERNAL when the text would not pass the preset checker (a bug in the writer).
 */
export function presetFileText(fit: PresetFit, measured: readonly AuditRow[], meta: PresetMeta): string {
  const source = `observed with ${meta.product} by mailhop audit on ${meta.date}`;
  const turned = Object.keys(fit.set);
  const written = new Set([...Object.keys(fit.inbound).map((k) => `inbound.${k}`), ...Object.keys(fit.outbound).map((k) => `outbound.${k}`)]);
  const needed = new Set(fit.base.needs.map((n) => n.key));
  const stillDiffers = new Set(fit.remaining.map((d) => d.case));
  const inherited = fit.base.behaviour
    .map((b) => ({ ...b, keys: b.keys.filter((k) => (written.has(k) || needed.has(k)) && !turned.includes(k)) }))
    .filter((b) => b.keys.length)
    // A case the fitted preset still gets wrong is not one it models.
    .map((b) => ({ does: b.does, keys: b.keys, cases: b.cases.filter((c) => !stillDiffers.has(c)), source: `as the preset ${fit.base.name}: ${b.source}` }));
  const fitted = turned.map((key) => ({
    does: `${key}: ${String(fit.set[key])} (the value that reproduces these cases)`,
    keys: [key],
    cases: fit.decidedBy[key],
    source,
  }));
  const perCase = measured.map((row) => ({ does: observed(row), cases: [row.case], source }));
  const remaining = fit.remaining.length
    ? ` Still differs from the measurement on ${fit.remaining.map((d) => `${d.case} (${d.how.join('; ')})`).join(', ')}.`
    : ' Agrees with the measurement on every case run, as the audit compares them (outcome, verdict, sessions 1/2/3+, reply class).';
  const file = {
    name: meta.name,
    product: meta.product,
    inbound: fit.inbound,
    outbound: fit.outbound,
    sources: [`mailhop audit of ${meta.target}, ${meta.date}`],
    ...(fit.base.needs.length ? { needs: fit.base.needs } : {}),
    note:
      `Written by mailhop audit --write-preset from ${meta.target} on ${meta.date}, starting from the preset ` +
      `${fit.base.name}${turned.length ? ` and changing ${turned.join(', ')}` : ''}.${remaining} The Received format and ` +
      `reply texts are the base preset's: the audit compares behaviour, not texts.`,
    behaviour: [...fitted, ...inherited, ...perCase],
  };
  const doc = new Document(file);
  // Lists of plain values (keys, cases, retry delays) on one line, as the bundled presets write them.
  visit(doc, { Seq: (_key, node) => void (node.items.every((item) => isScalar(item)) && (node.flow = true)) });
  const text = `# A mailhop preset written by mailhop audit --write-preset (schema: presets/preset.schema.json in the mailhop package).\n${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}`;
  const checked = checkPresetText(text, `${meta.name}.preset.yaml`, { reserved: PRESET_NAMES });
  if (checked.problems.length) throw new MailhopError('EINTERNAL', `the written preset does not check:\n${checked.problems.map(formatProblem).join('\n')}`);
  return text;
}
