/**
 * `mailhop audit`: runs the audit battery against one MTA (a real engine mailhop starts, a preset, or an external
 * gateway that relays to mailhop's `--listen` address), prints its behaviour profile and the presets closest to it.
 */
import { access, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { isIPv4 } from 'node:net';
import { MailhopError } from '../errors.js';
import { formatProblem, isPresetFile, loadPreset, PRESET_NAMES, presetFor } from '../presets/index.js';
import type { PresetName } from '../scenario/hop.js';
import { dirname, resolve } from 'node:path';
import { REAL_ENGINES, type RealEngineName } from '../scenario/hop-kind.js';
import { parseSettings, receivingSettings, type AuditTarget } from '../audit/audit-target.js';
import { runAudit, type AuditProfile } from '../audit/run-audit.js';
import { presetProfiles, type PresetProfile } from '../audit/preset-profiles.js';
import { closestPresets, type PresetDistance } from '../audit/compare-profiles.js';
import { renderAuditProfile, renderClosestPresets, renderFindings } from '../report/audit-report.js';
import { renderAuditPage } from '../report/html-audit-page.js';
import { auditFindings } from '../audit/findings.js';
import { TerminalProgress, type TerminalOut } from './terminal-progress.js';
import { fitPreset } from '../audit/fit-preset.js';
import { presetFileText, presetNameOf } from '../audit/write-preset.js';
import { diagnoseEngines } from '../engines/doctor.js';

/** Options of `mailhop audit`, as commander parses them. */
export interface AuditOptions {
  engine?: string;
  preset?: string;
  external?: string;
  listen?: string;
  /** `--set key=value`, repeatable. */
  set?: string[];
  /** `--cases a,b`. */
  cases?: string;
  /** `--compare a,b` or `none`; default every preset. */
  compare?: string;
  json?: boolean;
  /** Also write the audit as a self-contained HTML page here. */
  html?: string;
  concurrency?: number;
  allowExternal?: boolean;
  /** Also fit a preset to the measurement and write it here as a preset file (fit-preset.ts, write-preset.ts). */
  writePreset?: string;
}

/** Where the command writes (process streams, or fakes in tests). */
export interface AuditIo {
  stdout: TerminalOut;
  stderr: TerminalOut;
}

function hostPort(value: string, flag: string): { host: string; port: number } {
  const m = value.match(/^(.+):(\d{1,5})$/);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !isIPv4(m[1]) || port < 1 || port > 65535) {
    throw MailhopError.of('EUSAGE', { where: `${flag} ${value}`, what: 'read it as an address', why: 'expected an IPv4 address and a port, e.g. 127.0.0.1:2525' });
  }
  return { host: m[1], port };
}

/**
 * The target the options name: exactly one of `--engine`, `--preset`, `--external` (with `--listen`).
 * @throws MailhopError EUSAGE for none or several, an unknown name, a malformed address, `--set` on an external target.
 */
export function auditTarget(opts: AuditOptions): AuditTarget {
  const given = (['engine', 'preset', 'external'] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1) {
    throw MailhopError.of('EUSAGE', { where: 'the target', what: 'tell what to audit', why: given.length ? `--${given.join(' and --')} are given together` : 'no target is given', hint: 'Give one of --engine <name>, --preset <name>, or --external <host:port> with --listen <host:port>.' });
  }
  const set = parseSettings(opts.set ?? []);
  if (opts.engine !== undefined) {
    if (!(REAL_ENGINES as readonly string[]).includes(opts.engine)) throw MailhopError.of('EUSAGE', { where: `--engine ${opts.engine}`, what: 'audit it', why: `mailhop runs ${REAL_ENGINES.join(', ')}` });
    return { kind: 'engine', engine: opts.engine as RealEngineName, set };
  }
  if (opts.preset !== undefined) {
    return { kind: 'preset', preset: presetRef(opts.preset, '--preset', 'audit it'), set };
  }
  if (opts.set?.length) throw MailhopError.of('EUSAGE', { where: `--set ${opts.set[0]}`, what: 'configure an external gateway', why: 'mailhop does not configure a server it does not start', hint: 'Configure the gateway itself.' });
  if (opts.listen === undefined) throw MailhopError.of('EUSAGE', { where: `--external ${opts.external}`, what: 'audit it', why: 'no --listen address: the gateway must relay to a next hop mailhop runs', hint: 'Give --listen <host:port>, the address the gateway relays to (127.0.0.1:<port> for a gateway on this machine).' });
  return { kind: 'external', ...hostPort(opts.external!, '--external'), listen: hostPort(opts.listen, '--listen') };
}

/**
 * A bundled preset's name, or a preset file's path made absolute (from the working directory).
 * @throws MailhopError EUSAGE for an unknown name, or a preset file's problems, each at its file:line:column.
 */
function presetRef(ref: string, flag: string, what: string): PresetName {
  const loaded = loadPreset(ref);
  if ('preset' in loaded) return isPresetFile(ref) ? resolve(ref) : ref;
  if (!isPresetFile(ref)) {
    throw MailhopError.of('EUSAGE', { where: `${flag} ${ref}`, what, why: `no preset ${ref}`, hint: `The presets are ${PRESET_NAMES.join(', ')}, or a preset file (a path ending in .yaml).` });
  }
  throw MailhopError.of('EUSAGE', { where: `${flag} ${ref}`, what, why: `the preset file has problems:\n${loaded.problems.map(formatProblem).join('\n')}` });
}

/**
 * Where `--write-preset` can write: a file (new or not) in a folder that exists and can be written.
 * @throws MailhopError EUSAGE naming the flag and why not.
 */
async function checkWritable(file: string): Promise<void> {
  const why = (file === '' ? 'no file is named' : undefined)
    ?? await stat(file).then((info) => (info.isDirectory() ? 'it is a directory' : info.isFile() ? undefined : 'it is not a regular file'), () => undefined)
    ?? (await access(dirname(resolve(file)), constants.W_OK).then(() => undefined, (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? `its folder ${dirname(resolve(file))} does not exist` : `its folder cannot be written (${err.code})`)));
  if (why) throw MailhopError.of('EUSAGE', { where: `--write-preset ${file}`, what: 'write the preset there', why });
}

/**
 * The preset a fit starts from: the audited preset itself for a preset target (its `--set` keys are what to find);
 * else the closest compared preset, a tie going to the one named after the engine (`postfix` for engine postfix).
 */
function fitBase(target: AuditTarget, compared: readonly PresetName[], closest: readonly PresetDistance[]): PresetName {
  if (target.kind === 'preset' && !presetFor(target.preset)?.needs.length) return target.preset;
  // A preset that needs a key of the hop's own (outbound.enforce) cannot stand alone as a written preset's base.
  const usable = closest.filter((d) => !presetFor(refOf(d.preset, compared))?.needs.length);
  const best = usable.filter((d) => d.differences.length === usable[0]?.differences.length).map((d) => d.preset);
  const named = target.kind === 'engine' ? best.find((name) => name === target.engine) : undefined;
  const pick = named ?? best[0];
  if (pick === undefined) throw MailhopError.of('EUSAGE', { where: '--write-preset', what: 'fit a preset', why: 'no compared preset can be its base (each was skipped or needs a key of its own)', hint: 'Compare with at least one other preset.' });
  return refOf(pick, compared);
}

/** The ref (`--compare` entry) of the compared preset called `name` (names are unique among them: comparedPresets). */
function refOf(name: string, compared: readonly PresetName[]): PresetName {
  return compared.find((ref) => presetFor(ref)?.name === name) ?? name;
}

/** The product line of a written preset: the engine's version as `mailhop doctor` finds it, else the target. */
function productOf(target: AuditTarget, label: string): string {
  if (target.kind !== 'engine') return label;
  const found = diagnoseEngines().find((d) => d.engine === target.engine)?.found;
  return found ? found.replace(/\s*\(.*\)$/, '') : label;
}

function comparedPresets(compare: string | undefined): PresetName[] {
  if (compare === 'none') return [];
  if (compare === undefined) return [...PRESET_NAMES];
  const refs = compare.split(',').map((s) => s.trim()).filter(Boolean).map((ref) => presetRef(ref, '--compare', 'compare with this preset'));
  if (!refs.length) throw MailhopError.of('EUSAGE', { where: `--compare ${JSON.stringify(compare)}`, what: 'compare with these presets', why: 'it names none', hint: 'Name presets (comma-separated) or write --compare none.' });
  // Reports call a preset by its name: two with one name could not be told apart.
  const names = refs.map((ref) => presetFor(ref)!.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw MailhopError.of('EUSAGE', { where: `--compare ${compare}`, what: 'compare with these presets', why: `two of them are called ${twice}`, hint: 'Give each preset file its own name:.' });
  return refs;
}

/** The target's outbound TLS policy as mailhop configured it (undefined for an external gateway). */
function configuredPolicy(target: AuditTarget): string | undefined {
  if (target.kind === 'external') return undefined;
  const set = target.set['outbound.tls'];
  if (typeof set === 'string') return set;
  return target.kind === 'preset' ? presetFor(target.preset)?.outbound.tls : 'opportunistic';
}

/**
 * Runs the audit. 0 when every case ran; 1 when a case could not run (its row says why); 2 when `--html` cannot be
 * written; usage errors and a missing engine are thrown as MailhopError (main maps them to exit codes).
 */
export async function auditCommand(opts: AuditOptions, io: AuditIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const target = auditTarget(opts);
  const compared = comparedPresets(opts.compare);
  if (opts.writePreset !== undefined && !compared.length && opts.preset === undefined) {
    throw MailhopError.of('EUSAGE', { where: `--write-preset ${opts.writePreset}`, what: 'fit a preset', why: 'with --compare none there is no preset to start from', hint: 'Leave --compare out, or name the presets to start from.' });
  }
  // Before the audit (minutes with a real engine), not after it.
  if (opts.writePreset !== undefined) await checkWritable(opts.writePreset);
  const cases = opts.cases?.split(',').map((s) => s.trim()).filter(Boolean);
  if (cases && !cases.length) throw MailhopError.of('EUSAGE', { where: `--cases ${JSON.stringify(opts.cases)}`, what: 'select the audit cases', why: 'it names none', hint: 'Name case ids (comma-separated), or leave --cases out for all of them.' });
  const progress = io.stderr.isTTY ? new TerminalProgress(io.stderr) : undefined;
  let failed = 0;
  const profile = await runAudit(target, {
    cases,
    concurrency: opts.concurrency,
    allowExternal: opts.allowExternal,
    onRow: (row, done, total) => {
      if (row.error) failed++;
      progress?.update({ noun: 'case', done, total, passed: done - failed, failed });
    },
  });
  progress?.end();
  let closest: PresetDistance[] = [];
  let models: PresetProfile[] = [];
  if (compared.length) {
    progress?.print(`comparing with ${compared.length} presets…`);
    models = await presetProfiles(compared, { cases, concurrency: Math.max(2, opts.concurrency ?? 2), set: receivingSettings(target) });
    progress?.end();
    closest = closestPresets(profile.rows, models.flatMap((m) => ('profile' in m ? [m] : [])));
  }
  const skipped = models.flatMap((m) => ('skipped' in m ? [`${m.preset}: ${m.skipped}`] : []));
  if (skipped.length) io.stderr.write(`not compared (cannot take the battery as it is):\n${skipped.map((l) => `  ${l}`).join('\n')}\n`);
  const findings = auditFindings(profile.rows, { policy: configuredPolicy(target) });
  // The profile is printed (and the page written) before the fit, so a preset that cannot be written loses nothing.
  if (opts.json) io.stdout.write(`${JSON.stringify({ target: profile.target, rows: profile.rows, findings, closest }, null, 2)}\n`);
  else io.stdout.write([renderAuditProfile(profile), renderFindings(findings), renderClosestPresets(closest)].filter(Boolean).join('\n\n') + '\n');
  let code = profile.rows.some((r) => r.error) ? 1 : 0;
  if (opts.html) {
    try {
      await writeFile(opts.html, renderAuditPage({ profile, findings, closest }));
      io.stderr.write(`wrote ${opts.html}\n`);
    } catch (err) {
      io.stderr.write(`mailhop audit: cannot write ${opts.html}: ${(err as Error).message}\n`);
      code = 2;
    }
  }
  if (opts.writePreset) code = Math.max(code, await writeFittedPreset(opts.writePreset, target, profile, fitBase(target, compared, closest), { concurrency: opts.concurrency, io, progress }));
  return code;
}

/** Fits a preset from `base` to the measured profile and writes it (exit code 0, or 2 when it cannot be written). */
async function writeFittedPreset(
  file: string,
  target: AuditTarget,
  profile: AuditProfile,
  base: PresetName,
  { concurrency, io, progress }: { concurrency?: number; io: AuditIo; progress?: TerminalProgress },
): Promise<number> {
  progress?.print(`fitting a preset from ${presetFor(base)?.name}…`);
  const fit = await fitPreset(profile.rows, base, { receiving: receivingSettings(target), concurrency, onTrial: (n) => progress?.update({ noun: 'trial', done: n, total: n, passed: n, failed: 0 }) });
  progress?.end();
  const meta = { name: presetNameOf(file), target: profile.target, product: productOf(target, profile.target), date: new Date().toISOString().slice(0, 10) };
  // A text the checker refuses is mailhop's bug (EINTERNAL, thrown); only the write itself is reported here.
  const text = presetFileText(fit, profile.rows, meta);
  try {
    await writeFile(file, text);
  } catch (err) {
    io.stderr.write(`mailhop audit: --write-preset ${file}: cannot write it: ${(err as Error).message}\n`);
    return 2;
  }
  const n = profile.rows.length;
  const changed = Object.keys(fit.set).length ? `, changing ${Object.keys(fit.set).join(', ')}` : '';
  io.stderr.write(fit.remaining.length
    ? `wrote ${file} (preset ${meta.name}, from ${fit.base.name}${changed}); it still differs on ${fit.remaining.length} case${fit.remaining.length === 1 ? '' : 's'}: ${fit.remaining.map((d) => d.case).join(', ')}\n`
    : `wrote ${file} (preset ${meta.name}, from ${fit.base.name}${changed}); it agrees with the measurement on ${n === 1 ? 'the 1 case' : `all ${n} cases`} run\n`);
  return 0;
}
